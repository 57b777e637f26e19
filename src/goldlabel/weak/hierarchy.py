"""Label hierarchies and aliases: map a fine tag or a nickname onto the classes of a task.

Made With ML's projects carry fine tags (``graph-learning``, ``time-series``, ...) whose coarse task
folds several into ``other``; users also write ``nlp`` for ``natural-language-processing``. A
:class:`LabelHierarchy` records both, and :meth:`LabelHierarchy.resolve` turns any tag into the index of
the nearest class of the task, which is how keyword LFs accept fine tags.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from goldlabel.exceptions import InvalidOptionError

__all__ = ["LabelHierarchy", "resolve_label"]


class LabelHierarchy:
    """Tags with parents (``child -> parent``) and aliases (``alias -> tag``).

    Parameters
    ----------
    parents : mapping of str to str, optional
        The parent of each tag that has one. Cycles are refused.
    aliases : mapping of str to str, optional
        Other names of tags; an alias may point to another alias.

    Examples
    --------
    >>> h = LabelHierarchy(parents={"graph-learning": "other"}, aliases={"gnn": "graph-learning"})
    >>> h.ancestors("gnn")
    ['graph-learning', 'other']
    >>> h.resolve("gnn", classes=["computer-vision", "other"])
    1
    """

    def __init__(
        self,
        parents: Mapping[str, str] | None = None,
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        self.parents = dict(parents or {})
        self.aliases = dict(aliases or {})
        for start in list(self.parents) + list(self.aliases):
            self.ancestors(start)  # raises on a cycle

    @classmethod
    def from_pairs(cls, children: Iterable[Any], parents: Iterable[Any]) -> LabelHierarchy:
        """Build from aligned columns of fine and coarse tags (rows where they are equal are skipped).

        Raises
        ------
        InvalidOptionError
            If one fine tag appears under two different parents.

        Examples
        --------
        >>> LabelHierarchy.from_pairs(["time-series", "mlops"], ["other", "mlops"]).parents
        {'time-series': 'other'}
        """
        mapping: dict[str, str] = {}
        for child, parent in zip(children, parents, strict=True):
            child, parent = str(child), str(parent)
            if child == parent:
                continue
            if mapping.get(child, parent) != parent:
                raise InvalidOptionError(
                    f"tag {child!r} has two parents, {mapping[child]!r} and {parent!r}. A hierarchy "
                    "needs one parent per tag; fix the rows that disagree."
                )
            mapping[child] = parent
        return cls(parents=mapping)

    def canonical(self, tag: str) -> str:
        """The tag an alias stands for (a tag that is not an alias is returned as it is)."""
        seen = [tag]
        while tag in self.aliases:
            tag = self.aliases[tag]
            if tag in seen:
                raise InvalidOptionError(
                    f"aliases form a cycle: {' -> '.join([*seen, tag])}. Point each alias at a tag."
                )
            seen.append(tag)
        return tag

    def ancestors(self, tag: str) -> list[str]:
        """The tag itself (alias resolved) followed by its parent, grandparent, ... up to the root."""
        chain = [self.canonical(tag)]
        while chain[-1] in self.parents:
            parent = self.canonical(self.parents[chain[-1]])
            if parent in chain:
                raise InvalidOptionError(
                    f"the hierarchy has a cycle: {' -> '.join([*chain, parent])}. Each tag needs a "
                    "parent that is not its own descendant."
                )
            chain.append(parent)
        return chain

    def resolve(self, tag: str, *, classes: Sequence[str]) -> int:
        """Index in ``classes`` of the tag or of its nearest ancestor that is a class.

        Raises
        ------
        InvalidOptionError
            If neither the tag nor any ancestor is one of ``classes``.
        """
        chain = self.ancestors(tag)
        index = {str(c): i for i, c in enumerate(classes)}
        for name in chain:
            if name in index:
                return index[name]
        raise InvalidOptionError(
            f"tag {tag!r} (ancestors {chain}) is none of the classes {list(classes)}. Add a parent "
            "for it to the hierarchy or an alias, or pass a class index."
        )


def resolve_label(
    label: Any,
    *,
    classes: Sequence[str] | None = None,
    hierarchy: LabelHierarchy | None = None,
) -> int:
    """Turn an LF's target (a class index, a class name, a fine tag or an alias) into a class index.

    Examples
    --------
    >>> resolve_label(1)
    1
    >>> resolve_label("spam", classes=["ham", "spam"])
    1
    """
    if isinstance(label, bool):
        raise InvalidOptionError(f"label must be a class index or name, but received {label!r}.")
    if isinstance(label, int) or (hasattr(label, "dtype") and getattr(label, "ndim", 1) == 0):
        value = int(label)
        if value < 0 or (classes is not None and value >= len(classes)):
            raise InvalidOptionError(
                f"label {value} is not a class index"
                + (
                    f" of the {len(classes)} classes {list(classes)}"
                    if classes
                    else " (must be >= 0)"
                )
                + "."
            )
        return value
    if isinstance(label, str):
        if classes is None:
            raise InvalidOptionError(
                f"label {label!r} is a name, so the LF needs classes=[...] (the ordered class names) "
                "to turn it into an index."
            )
        if hierarchy is not None:
            return hierarchy.resolve(label, classes=classes)
        names = [str(c) for c in classes]
        if label not in names:
            raise InvalidOptionError(
                f"label {label!r} is not one of the classes {names}. Pass a hierarchy with aliases "
                "or parents to map other tags onto them."
            )
        return names.index(label)
    raise InvalidOptionError(
        f"label must be a class index (int) or name (str), but received {type(label).__name__}."
    )
