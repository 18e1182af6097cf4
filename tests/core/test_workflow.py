"""The engine alone, on plain objects: guard, copy, handler, one history row, the target state."""

import pytest
from django.core.exceptions import ValidationError

from core.workflow import Field, Step, StepContext, Workflow, apply_step, form_initial, timeline


class Thing:
    def __init__(self, status="draft"):
        self.status = status
        self.version = 1
        self.number = ""
        self.saved = 0

    def full_clean(self):
        pass

    def save(self):
        self.saved += 1


class Row:
    saved_rows = []

    def __init__(self, step):
        self.step = step
        self.number = ""
        self.comment = ""

    def full_clean(self):
        pass

    def save(self):
        Row.saved_rows.append(self)


def _check_number(context: StepContext):
    if context.data["number"].startswith("0"):
        raise ValidationError({"number": ValidationError("không bắt đầu bằng 0", code="bad_number")})
    context.extra["seen"] = context.obj.number


FLOW = Workflow(
    [
        Step(
            "approve",
            "Phê duyệt",
            frozenset({"draft"}),
            "approved",
            frozenset({"leader"}),
            (
                Field("number", "text", "Số", copy_to="number"),
                Field("comment", "text", "Ý kiến", required=False),
            ),
            handler=_check_number,
        ),
        Step("cancel", "Hủy", frozenset({"draft", "approved"}), "cancelled", frozenset({"staff", "leader"})),
    ],
    roles_of=lambda user: set(user["roles"]),
    state_label=lambda obj: obj.status,
)
LEADER = {"roles": ["leader"]}
STAFF = {"roles": ["staff"]}


def _apply(thing, key, user, data):
    return apply_step(
        FLOW, obj=thing, key=key, user=user, data=data, new_row=lambda **kw: Row(kw["step"].key)
    )


@pytest.fixture(autouse=True)
def _clear_rows():
    Row.saved_rows.clear()


def test_a_step_copies_its_fields_runs_its_handler_and_writes_one_row():
    thing = Thing()
    context = _apply(thing, "approve", LEADER, {"number": "  12/QĐ  ", "comment": "ok"})
    assert (thing.status, thing.version, thing.number, thing.saved) == ("approved", 2, "12/QĐ", 1)
    assert [(r.step, r.number, r.comment) for r in Row.saved_rows] == [("approve", "12/QĐ", "ok")]
    assert context.extra["seen"] == "12/QĐ"  # the handler runs after the copy


@pytest.mark.parametrize(
    "user,status,data,code",
    [
        (STAFF, "draft", {"number": "1"}, "forbidden"),
        (LEADER, "approved", {"number": "1"}, "not_allowed"),
        (LEADER, "draft", {"number": "  "}, "required"),
        (LEADER, "draft", {"number": "01"}, "bad_number"),
    ],
)
def test_a_refused_step_writes_nothing(user, status, data, code):
    thing = Thing(status)
    with pytest.raises(ValidationError) as caught:
        _apply(thing, "approve", user, data)
    codes = (
        {e.code for e in caught.value.error_list}
        if not hasattr(caught.value, "error_dict")
        else {e.code for errors in caught.value.error_dict.values() for e in errors}
    )
    assert code in codes
    assert (thing.status, thing.version, thing.saved, Row.saved_rows) == (status, 1, 0, [])


def test_an_unknown_step_is_refused():
    with pytest.raises(ValidationError, match="không có trong quy trình"):
        _apply(Thing(), "publish", LEADER, {})


def test_buttons_follow_the_roles_and_the_state():
    assert [s.key for s in FLOW.steps_for(STAFF, "draft")] == ["cancel"]
    assert [s.key for s in FLOW.steps_for(LEADER, "draft")] == ["approve", "cancel"]
    assert [s.key for s in FLOW.steps_for(LEADER, "cancelled")] == []


def test_form_defaults_and_timeline_read_the_declarations():
    step = FLOW.get("approve")
    assert form_initial(step, {"number": "5", "unrelated": 1}) == {"number": "5"}
    row = Row("approve")
    row.number = "5"
    entries = timeline(FLOW.steps, [row])
    assert [(f.name, v) for f, v in entries[0]["values"]] == [("number", "5")]
    assert entries[0]["step"] is step


def test_field_kinds_are_a_fixed_set():
    with pytest.raises(ValueError, match="unknown field kind"):
        Field("x", "colour", "X")


def test_before_save_runs_after_the_handler_and_a_note_keeps_its_lines():
    noted = Workflow(
        [
            Step(
                "note",
                "Ghi",
                frozenset({"draft"}),
                "noted",
                frozenset({"staff"}),
                (Field("comment", "note", "Ý kiến", required=False),),
                handler=lambda context: context.extra.setdefault("order", []).append("handler"),
            )
        ],
        roles_of=lambda user: set(user["roles"]),
        state_label=lambda obj: obj.status,
    )
    order = []

    def before_save(context):
        order.extend([*context.extra["order"], "before_save"])
        assert Row.saved_rows == []  # the row is not saved yet

    apply_step(
        noted,
        obj=Thing(),
        key="note",
        user=STAFF,
        data={"comment": "  dòng một\n  dòng hai  "},
        new_row=lambda **kw: Row(kw["step"].key),
        before_save=before_save,
    )
    assert order == ["handler", "before_save"]
    assert Row.saved_rows[0].comment == "dòng một\n  dòng hai"


def test_a_workflow_may_name_its_object_in_the_not_allowed_message():
    named = Workflow(
        FLOW.steps,
        roles_of=FLOW.roles_of,
        state_label=FLOW.state_label,
        not_allowed_message="Không thể “%(step)s” đề án đang ở trạng thái “%(status)s”.",
    )
    with pytest.raises(ValidationError, match="Không thể “Phê duyệt” đề án đang ở trạng thái “approved”"):
        apply_step(
            named, obj=Thing("approved"), key="approve", user=LEADER, data={"number": "1"}, new_row=Row
        )
    assert Row.saved_rows == []


def test_form_initial_reads_a_fields_declared_initial_key():
    step = Step(
        "contract",
        "Hợp đồng",
        frozenset({"approved"}),
        "contracted",
        frozenset({"staff"}),
        (Field("value", "money", "Giá trị", initial="approved_support"), Field("number", "text", "Số")),
    )
    assert form_initial(step, {"approved_support": 5, "value": 9}) == {"value": 5}
