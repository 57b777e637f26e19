from __future__ import annotations

import pytest

from goldlabel.exceptions import InvalidOptionError
from goldlabel.weak import LabelHierarchy, resolve_label

FINE = ["natural-language-processing", "computer-vision", "graph-learning", "time-series", "mlops"]
COARSE = ["natural-language-processing", "computer-vision", "other", "other", "mlops"]


def test_from_pairs_and_resolve():
    h = LabelHierarchy.from_pairs(FINE, COARSE)
    assert h.parents == {"graph-learning": "other", "time-series": "other"}
    classes = ["computer-vision", "mlops", "natural-language-processing", "other"]
    assert h.resolve("time-series", classes=classes) == 3
    assert h.resolve("mlops", classes=classes) == 1
    h2 = LabelHierarchy(parents=h.parents, aliases={"nlp": "natural-language-processing"})
    assert resolve_label("nlp", classes=classes, hierarchy=h2) == 2


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: LabelHierarchy(parents={"a": "b", "b": "a"}), "cycle"),
        (lambda: LabelHierarchy(aliases={"a": "b", "b": "a"}), "aliases form a cycle"),
        (lambda: LabelHierarchy.from_pairs(["a", "a"], ["b", "c"]), "has two parents"),
        (lambda: LabelHierarchy().resolve("zz", classes=["a"]), "is none of the classes"),
        (lambda: resolve_label(True), "class index or name"),
        (lambda: resolve_label(1.5), "class index \\(int\\) or name"),
    ],
    ids=["parent-cycle", "alias-cycle", "two-parents", "unresolvable", "bool", "float"],
)
def test_hierarchy_errors(make, match):
    with pytest.raises(InvalidOptionError, match=match):
        make()
