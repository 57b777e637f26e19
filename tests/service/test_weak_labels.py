"""Labeling functions in the studio: saved LFs, previews, the label model, applying it and label issues."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from goldlabel.exceptions import ConflictError, InvalidOptionError, NotFoundError
from goldlabel.service import lf_matches as L
from goldlabel.service import weak_labels as W
from goldlabel.service import weak_model as M
from goldlabel.service.actions import list_actions, undo_action
from goldlabel.service.importing import import_dataset
from goldlabel.service.projects import create_project
from goldlabel.service.rows import RowFilter, list_rows
from goldlabel.store import Database
from goldlabel.weak import KeywordLF, LabelModel, RegexLF, apply_lfs, summarize_lfs

CLASSES = ["sports", "tech", "world"]
WORDS = {"sports": ["match", "goal"], "tech": ["software", "chip"], "world": ["election", "treaty"]}


def rules_frame(n: int = 60) -> pd.DataFrame:
    """Rows naming their class's words (every fifth names two); the first half labeled, row 0 wrongly."""
    rows = []
    for i in range(n):
        cls = CLASSES[i % 3]
        word = WORDS[cls][(i // 3) % 2]
        extra = f" and the {WORDS[cls][1 - (i // 3) % 2]}" if i % 5 == 0 else ""
        rows.append({"text": f"row {i} about the {word}{extra} today", "label": cls})
    frame = pd.DataFrame(rows)
    frame.loc[n // 2 :, "label"] = None
    frame.loc[0, "label"] = "tech"
    return frame


def make_rules_project(
    db: Database, n: int = 60, *, task: str = "multiclass", frame: pd.DataFrame | None = None
) -> int:
    """A project over ``frame`` (default :func:`rules_frame` of ``n`` rows)."""
    frame = rules_frame(n) if frame is None else frame
    with db.write() as session:
        ds = import_dataset(session, frame.to_csv(index=False).encode(), filename="rules.csv")
        project = create_project(
            session,
            ds.id,
            name="rules",
            task=task,
            classes=CLASSES,
            text_columns=["text"],
            label_column="label",
        )
        return project.id


def add_default_lfs(db: Database, pid: int) -> list[dict]:
    with db.write() as session:
        return [
            W.create_lf(session, pid, kind="keyword", label="sports", keywords=["match"], user="u"),
            W.create_lf(session, pid, kind="keyword", label="sports", keywords="goal", user="u"),
            W.create_lf(
                session, pid, kind="keyword", label="tech", keywords=["software", "chip"], user="u"
            ),
            W.create_lf(
                session,
                pid,
                kind="regex",
                label="world",
                pattern=r"\b(election|treaty)\b",
                user="u",
            ),
        ]


def library_lfs() -> list:
    return [
        KeywordLF(["match"], 0, name="a"),
        KeywordLF(["goal"], 0, name="b"),
        KeywordLF(["software", "chip"], 1, name="c"),
        RegexLF(r"\b(election|treaty)\b", 2, name="d"),
    ]


def current_labels(frame: pd.DataFrame) -> np.ndarray:
    return np.array([CLASSES.index(v) if isinstance(v, str) else -1 for v in frame["label"]])


# ------------------------------------------------------------------------------ saving LFs


def test_lfs_are_created_listed_updated_and_deleted(database: Database) -> None:
    pid = make_rules_project(database)
    created = add_default_lfs(database, pid)
    assert [lf["name"] for lf in created] == [
        "keyword_match",
        "keyword_goal",
        "keyword_software_chip",
        r"regex_\b(election|treaty)\b",
    ]
    assert created[1]["keywords"] == ["goal"] and created[3]["pattern"] == r"\b(election|treaty)\b"
    with database.write() as session:
        changed = W.update_lf(
            session, pid, created[1]["id"], name="goals", keywords=["goal", "score"], active=False
        )
        assert changed["name"] == "goals" and changed["keywords"] == ["goal", "score"]
        assert changed["active"] is False
        W.delete_lf(session, pid, created[0]["id"])
    with database.read() as session:
        listed = W.list_lfs(session, pid)["lfs"]
    assert [lf["id"] for lf in listed] == [lf["id"] for lf in created[1:]]
    assert [lf["created_by"] for lf in listed] == ["u", "u", "u"]


def test_a_default_name_never_clashes(sqlite_db: Database) -> None:
    pid = make_rules_project(sqlite_db)
    with sqlite_db.write() as session:
        first = W.create_lf(session, pid, kind="keyword", label="tech", keywords="chip", user="u")
        second = W.create_lf(session, pid, kind="keyword", label="tech", keywords="chip", user="u")
    assert (first["name"], second["name"]) == ("keyword_chip", "keyword_chip_2")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"kind": "word", "label": "tech", "keywords": ["a"]}, "kind must be one of"),
        ({"kind": "keyword", "label": "cooking", "keywords": ["a"]}, "got 'cooking'"),
        ({"kind": "keyword", "label": "tech", "keywords": [" ", ""]}, "at least one non-empty"),
        ({"kind": "keyword", "label": "tech", "keywords": ["x" * 2000]}, "pattern of 2[0-9]+ char"),
        ({"kind": "regex", "label": "tech", "pattern": "  "}, "needs a non-empty pattern"),
        ({"kind": "regex", "label": "tech", "pattern": "(unclosed"}, "not a valid regular exp"),
        ({"kind": "regex", "label": "tech", "pattern": "a" * 1001}, "at most 1000 characters"),
    ],
    ids=["kind", "class", "no-keywords", "long-keywords", "no-pattern", "bad-regex", "long-regex"],
)
def test_invalid_lfs_are_refused_with_a_reason(
    sqlite_db: Database, kwargs: dict, match: str
) -> None:
    pid = make_rules_project(sqlite_db)
    with sqlite_db.write() as session, pytest.raises(InvalidOptionError, match=match):
        W.create_lf(session, pid, user="u", **kwargs)
    with sqlite_db.read() as session, pytest.raises(InvalidOptionError, match=match):
        W.preview_lf(session, pid, **kwargs)


def test_a_taken_name_is_a_conflict_holding_the_existing_lf(sqlite_db: Database) -> None:
    pid = make_rules_project(sqlite_db)
    with sqlite_db.write() as session:
        lf = W.create_lf(session, pid, kind="keyword", label="tech", keywords="chip", user="u")
        with pytest.raises(ConflictError, match="already has an LF named 'keyword_chip'") as err:
            W.create_lf(
                session, pid, kind="regex", label="tech", pattern="x", name="keyword_chip", user="u"
            )
    assert err.value.current["id"] == lf["id"]


def test_unknown_lf_is_not_found(sqlite_db: Database) -> None:
    pid = make_rules_project(sqlite_db)
    with sqlite_db.write() as session, pytest.raises(NotFoundError, match="function 99 does not"):
        W.update_lf(session, pid, 99, active=False)


@pytest.mark.parametrize("task", ["multilabel", "no-text"], ids=["multilabel", "no-text"])
def test_projects_lfs_cannot_read_are_refused(sqlite_db: Database, task: str) -> None:
    frame = rules_frame(12)
    with sqlite_db.write() as session:
        ds = import_dataset(session, frame.to_csv(index=False).encode(), filename="r.csv")
        project = create_project(
            session,
            ds.id,
            name="r",
            task="multilabel" if task == "multilabel" else "multiclass",
            classes=CLASSES,
            text_columns=["text"] if task == "multilabel" else [],
            label_column="label",
        )
    match = "multi-class projects" if task == "multilabel" else "has no text columns"
    with sqlite_db.write() as session, pytest.raises(InvalidOptionError, match=match):
        W.create_lf(session, project.id, kind="keyword", label="tech", keywords="x", user="u")


# ------------------------------------------------------------------------------ previews


def test_preview_counts_agree_with_a_row_by_row_count(database: Database) -> None:
    pid = make_rules_project(database)
    created = add_default_lfs(database, pid)
    frame = rules_frame()
    labels = current_labels(frame)
    with database.read() as session:
        got = W.preview_lf(
            session, pid, kind="regex", label="tech", pattern=r"about the (match|chip)"
        )
        edited = W.preview_lf(
            session, pid, kind="keyword", label="sports", keywords=["match"], lf_id=created[0]["id"]
        )
    draft = re.compile(r"about the (match|chip)", re.IGNORECASE)
    others = [
        re.compile(p, re.IGNORECASE)
        for p in (r"\bmatch\b", r"\bgoal\b", r"\b(software|chip)\b", r"\b(election|treaty)\b")
    ]
    votes = [0, 0, 1, 2]
    hit = [bool(draft.search(t)) for t in frame["text"]]
    other = [[v for r, v in zip(others, votes, strict=True) if r.search(t)] for t in frame["text"]]
    n_conf = sum(h and any(v != 1 for v in o) for h, o in zip(hit, other, strict=True))
    judged = [(h, y) for h, y in zip(hit, labels, strict=True) if h and y >= 0]
    assert got["n_rows"] == 60 and got["n_covered"] == sum(hit)
    assert got["coverage"] == pytest.approx(sum(hit) / 60)
    assert got["n_overlaps"] == sum(h and bool(o) for h, o in zip(hit, other, strict=True))
    assert got["n_conflicts"] == n_conf > 0
    assert got["n_correct"] == sum(y == 1 for _, y in judged)
    assert got["accuracy"] == pytest.approx(got["n_correct"] / len(judged))
    # the LF being edited is left out: "match" alone overlaps only rows also naming "goal"
    assert edited["n_overlaps"] == sum("match" in t and "goal" in t for t in frame["text"])
    assert edited["n_conflicts"] == 0


def test_preview_examples_mark_the_match_and_list_disagreeing_labels(sqlite_db: Database) -> None:
    pid = make_rules_project(sqlite_db)
    with sqlite_db.read() as session:
        got = W.preview_lf(session, pid, kind="keyword", label="sports", keywords=["goal", "match"])
        none = W.preview_lf(session, pid, kind="regex", label="tech", pattern="zebra")
    assert len(got["examples"]) == 5
    for ex in got["examples"] + got["mistakes"]:
        a, b = ex["match"]
        assert ex["text"][a:b].lower() in ("goal", "match")
    assert [m["row_id"] for m in got["mistakes"]] == [0]  # row 0 is labeled tech
    assert got["mistakes"][0]["label"] == "tech"
    assert none["n_covered"] == 0 and none["accuracy"] is None and none["examples"] == []


def test_listed_stats_equal_the_library_summary(sqlite_db: Database) -> None:
    pid = make_rules_project(sqlite_db)
    add_default_lfs(sqlite_db, pid)
    frame = rules_frame()
    with sqlite_db.read() as session:
        listed = W.list_lfs(session, pid, with_stats=True)
    L = apply_lfs(frame, library_lfs())
    expected = summarize_lfs(L, labels=current_labels(frame), model=LabelModel(n_classes=3).fit(L))
    assert listed["n_rows"] == 60 and listed["n_labeled"] == 30
    for lf, (_, row) in zip(listed["lfs"], expected.iterrows(), strict=True):
        assert lf["coverage"] == pytest.approx(row["coverage"])
        assert lf["overlaps"] == pytest.approx(row["overlaps"])
        assert lf["conflicts"] == pytest.approx(row["conflicts"])
        assert lf["accuracy"] == pytest.approx(row["empirical_accuracy"])
        assert lf["estimated_accuracy"] == pytest.approx(row["estimated_accuracy"])


# ------------------------------------------------------------------------------ label model


def test_label_model_probabilities_equal_the_library_and_follow_edits(sqlite_db: Database) -> None:
    pid = make_rules_project(sqlite_db)
    created = add_default_lfs(sqlite_db, pid)
    L = apply_lfs(rules_frame(), library_lfs())
    with sqlite_db.read() as session:
        weak = M.fit_weak_labels(session, pid)
    np.testing.assert_allclose(weak.probs, LabelModel(n_classes=3).fit(L).predict_proba(L))
    assert weak.covered.all() and weak.lf_ids == tuple(lf["id"] for lf in created)
    with sqlite_db.write() as session:
        W.update_lf(session, pid, created[3]["id"], active=False)
    with sqlite_db.read() as session:
        after = M.fit_weak_labels(session, pid)
    assert after.fingerprint != weak.fingerprint
    assert after.covered.sum() == 40  # the world rows are no longer covered
    with sqlite_db.write() as session:
        for lf in created:
            W.update_lf(session, pid, lf["id"], active=False)
    with sqlite_db.read() as session:
        nothing = M.fit_weak_labels(session, pid)
        proposal = M.propose_weak_labels(session, pid, threshold=0.5)
    assert nothing.model is None and not nothing.covered.any()
    assert (proposal["n_lfs"], proposal["n_to_label"]) == (0, 0)


def test_suggestions_are_for_unlabeled_covered_rows_most_confident_first(
    sqlite_db: Database,
) -> None:
    pid = make_rules_project(sqlite_db)
    add_default_lfs(sqlite_db, pid)
    with sqlite_db.read() as session:
        got = M.list_weak_suggestions(session, pid, limit=100)
        sure = M.list_weak_suggestions(session, pid, min_confidence=0.9, unlabeled_only=False)
        with pytest.raises(InvalidOptionError, match=r"limit must be in 1\.\.1000"):
            M.list_weak_suggestions(session, pid, limit=0)
    assert got["total"] == 30 and {r["row_id"] for r in got["rows"]} == set(range(30, 60))
    confidence = [r["confidence"] for r in got["rows"]]
    assert confidence == sorted(confidence, reverse=True)
    assert all(r["suggested_label"] == CLASSES[r["row_id"] % 3] for r in got["rows"])
    assert sum(got["rows"][0]["probabilities"].values()) == pytest.approx(1.0)
    assert {r["row_id"] for r in sure["rows"]} == {i for i in range(0, 60, 15)}  # two sports LFs


def test_apply_is_one_logged_undoable_action(database: Database) -> None:
    pid = make_rules_project(database)
    add_default_lfs(database, pid)
    with database.read() as session:
        proposal = M.propose_weak_labels(session, pid, threshold=0.7)
    assert proposal["n_unlabeled"] == 30 and proposal["n_to_label"] == 30
    assert proposal["counts"] == {"sports": 10, "tech": 10, "world": 10}
    assert sum(proposal["histogram"]["counts"]) == 30
    with database.write() as session:
        applied, action = M.apply_weak_labels(
            session, pid, threshold=0.7, user="ann", fingerprint=proposal["fingerprint"]
        )
    assert action is not None and (action.kind, action.n_rows) == ("weak", 30)
    assert applied["n_to_label"] == 30
    with database.read() as session:
        weak_rows = list_rows(session, pid, row_filter=RowFilter(source=["weak"]), limit=100)
        log = list_actions(session, pid)
        again = M.propose_weak_labels(session, pid, threshold=0.7)
        given = list_rows(session, pid, row_filter=RowFilter(row_ids=[0]))
    assert weak_rows.total == 30
    assert all(r["label"] == CLASSES[r["row_id"] % 3] for r in weak_rows.rows)
    assert all(r["status"] == "labeled" and r["version"] == 1 for r in weak_rows.rows)
    assert given.rows[0]["label"] == "tech"  # labeled rows are never touched
    assert log[0]["kind"] == "weak" and log[0]["user"] == "ann" and log[0]["n_rows"] == 30
    assert log[0]["params"]["threshold"] == 0.7 and len(log[0]["params"]["lfs"]) == 4
    assert again["n_unlabeled"] == 0 and again["n_to_label"] == 0
    with database.write() as session:
        undone = undo_action(session, pid, action.action_id, user="ann")
    assert undone.n_rows == 30 and undone.n_skipped == 0
    with database.read() as session:
        assert M.propose_weak_labels(session, pid, threshold=0.7)["n_to_label"] == 30
        assert list_rows(session, pid, row_filter=RowFilter(source=["weak"])).total == 0


def test_apply_refuses_a_stale_proposal_and_reports_an_empty_one(sqlite_db: Database) -> None:
    pid = make_rules_project(sqlite_db)
    created = add_default_lfs(sqlite_db, pid)
    with sqlite_db.read() as session:
        old = M.propose_weak_labels(session, pid, threshold=0.7)
    with sqlite_db.write() as session:
        W.update_lf(session, pid, created[0]["id"], keywords=["matches"])
    with sqlite_db.write() as session, pytest.raises(ConflictError, match="changed since") as err:
        M.apply_weak_labels(session, pid, threshold=0.7, user="u", fingerprint=old["fingerprint"])
    assert err.value.current["fingerprint"] != old["fingerprint"]
    with sqlite_db.write() as session:
        proposal, action = M.apply_weak_labels(session, pid, threshold=1.0, user="u")
    assert proposal["n_to_label"] == 0 and action is None


@pytest.mark.parametrize("threshold", [-0.1, 1.5], ids=["negative", "above-one"])
def test_threshold_must_be_a_probability(sqlite_db: Database, threshold: float) -> None:
    pid = make_rules_project(sqlite_db)
    with sqlite_db.read() as session, pytest.raises(InvalidOptionError, match=r"in \[0, 1\]"):
        M.propose_weak_labels(session, pid, threshold=threshold)


# ------------------------------------------------------------------------------ label issues


def test_label_issues_are_found_tagged_once_and_untagged_by_undo(database: Database) -> None:
    pid = make_rules_project(database)
    add_default_lfs(database, pid)
    with database.read() as session:
        found = M.find_weak_label_issues(session, pid, min_confidence=0.7)
        strict = M.find_weak_label_issues(session, pid, min_confidence=0.99)
    assert found["n_flagged"] == 1 and found["row_ids"] == [0]
    row = found["rows"][0]
    assert (row["label"], row["lf_label"]) == ("tech", "sports")
    assert row["label_issue_score"] > 0.9 and row["text"].startswith("row 0 about")
    assert strict["n_flagged"] == 0
    with database.write() as session:
        n, action = M.tag_weak_label_issues(session, pid, user="u", min_confidence=0.7)
    assert n == 1 and action is not None and action.n_rows == 1
    with database.write() as session:
        assert M.tag_weak_label_issues(session, pid, user="u", min_confidence=0.7) == (1, None)
    with database.read() as session:
        tagged = list_rows(session, pid, row_filter=RowFilter(tag=M.ISSUE_TAG))
    assert [r["row_id"] for r in tagged.rows] == [0]
    with database.write() as session:
        undo_action(session, pid, action.action_id, user="u")
    with database.read() as session:
        assert list_rows(session, pid, row_filter=RowFilter(tag=M.ISSUE_TAG)).total == 0


def test_no_active_lfs_means_no_issues(sqlite_db: Database) -> None:
    pid = make_rules_project(sqlite_db)
    with sqlite_db.read() as session:
        assert M.find_weak_label_issues(session, pid) == {"n_flagged": 0, "row_ids": [], "rows": []}


TRICKY = [
    "Start the art show",
    "ART!",
    "money back guaranteed",
    "money, back",
    "Write an e-mail now",
    "email me",
    "C++ and c# rock",
    "snake_case art_work",
    "Çafé ART in İstanbul",
    "naïve money back",
    "İSTANBUL calling",
    "",
    "x1.5 release",
    "Kelvin \u212a scale",
]


@pytest.mark.parametrize(
    "keywords",
    [["art"], ["money back"], ["e-mail"], ["c++"], ["istanbul"], ["x1.5"], ["k"], ["art", "email"]],
    ids=["word", "phrase", "hyphen", "punctuation", "unicode-case", "dotted", "kelvin", "several"],
)
def test_keyword_matches_are_exactly_the_librarys(sqlite_db: Database, keywords: list) -> None:
    frame = pd.DataFrame({"text": TRICKY, "label": [None] * len(TRICKY)})
    with sqlite_db.write() as session:
        ds = import_dataset(session, frame.to_csv(index=False).encode(), filename="t.csv")
        pid = create_project(
            session, ds.id, name="t", classes=CLASSES, text_columns=["text"], label_column="label"
        ).id
    with sqlite_db.read() as session:
        got = W.preview_lf(
            session, pid, kind="keyword", label="tech", keywords=keywords, n_examples=50
        )
    expected = KeywordLF(keywords, 1).apply(frame.fillna({"text": ""})) >= 0
    assert sorted(e["row_id"] for e in got["examples"]) == np.flatnonzero(expected).tolist()


def test_a_pattern_that_backtracks_catastrophically_is_stopped_with_a_reason(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(a|aa)+$ on a long run of a's tries exponentially many splits: the search is stopped when its
    time is up and the preview says why, instead of holding a server thread for ever."""
    frame = pd.DataFrame(
        {"text": ["a" * 40 + "!", "a goal today", "chip news"], "label": ["sports", None, "tech"]}
    )
    pid = make_rules_project(sqlite_db, frame=frame)
    monkeypatch.setattr(L, "SCAN_SECONDS", 0.5)
    with (
        sqlite_db.read() as session,
        pytest.raises(
            InvalidOptionError,
            match=r"took more than 0\.5 s to search 3 rows .* backtracks catastroph",
        ),
    ):
        W.preview_lf(session, pid, kind="regex", label="sports", pattern=r"(a|aa)+$")
    with sqlite_db.read() as session:  # a sound pattern still previews on the same project
        assert (
            W.preview_lf(session, pid, kind="regex", label="sports", pattern=r"\bgoal")["coverage"]
            > 0
        )
