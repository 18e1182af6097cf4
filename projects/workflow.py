"""The one transition table of a project (đề án), after Thông tư 36/2013/TT-BCT. The service
`projects.services.project_transition`, the buttons on the project page and the tests all read
`STEPS`. State keys are ASCII constants; only labels are translated."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

from .models import Status

STAFF_ROLES = frozenset({Role.STAFF, Role.LEADER})  # a leader may do all that staff may
LEADER_ROLES = frozenset({Role.LEADER})


@dataclass(frozen=True)
class Field:
    """A typed field a step records. `kind`: text, date, money, choice, document, amounts
    (a whole-đồng amount per state-support funding source)."""

    name: str
    kind: str
    label: str


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    sources: frozenset
    target: str
    roles: frozenset
    fields: tuple = ()
    button: str = "primary"

    def allows(self, status):
        return status in self.sources


F = Field
COMMENT = F("comment", "text", _("Ý kiến"))
REASON = F("reason", "text", _("Lý do"))

STEPS = (
    Step(
        "submit",
        _("Trình thẩm định"),
        frozenset({Status.DRAFT, Status.RETURNED}),
        Status.SUBMITTED,
        STAFF_ROLES,
    ),
    Step(
        "return",
        _("Trả lại bổ sung"),
        frozenset({Status.SUBMITTED}),
        Status.RETURNED,
        STAFF_ROLES,
        (F("comment", "text", _("Nội dung cần bổ sung")),),
        "warning",
    ),
    Step(
        "appraise",
        _("Ghi kết quả thẩm định"),
        frozenset({Status.SUBMITTED}),
        Status.APPRAISED,
        STAFF_ROLES,
        (
            F("appraisal_result", "choice", _("Kết quả thẩm định")),
            F("appraisal_date", "date", _("Ngày thẩm định")),
            F("comment", "text", _("Ý kiến thẩm định")),
            F("document", "document", _("Phiếu thẩm định")),
        ),
    ),
    Step(
        "approve",
        _("Phê duyệt"),
        frozenset({Status.APPRAISED}),
        Status.APPROVED,
        LEADER_ROLES,
        (
            F("decision_number", "text", _("Số quyết định")),
            F("decision_date", "date", _("Ngày quyết định")),
            F("amounts", "amounts", _("Kinh phí hỗ trợ được duyệt theo nguồn")),
        ),
        "success",
    ),
    Step(
        "reject",
        _("Không phê duyệt"),
        frozenset({Status.SUBMITTED, Status.APPRAISED}),
        Status.REJECTED,
        LEADER_ROLES,
        (REASON,),
        "danger",
    ),
    Step(
        "contract",
        _("Ghi hợp đồng"),
        frozenset({Status.APPROVED}),
        Status.CONTRACTED,
        STAFF_ROLES,
        (
            F("contract_number", "text", _("Số hợp đồng")),
            F("contract_date", "date", _("Ngày ký")),
            F("contract_parties", "text", _("Các bên ký")),
            F("contract_value", "money", _("Giá trị hợp đồng (đồng)")),
        ),
    ),
    Step(
        "start",
        _("Bắt đầu thực hiện"),
        frozenset({Status.CONTRACTED}),
        Status.IN_PROGRESS,
        STAFF_ROLES,
        (F("start_date", "date", _("Ngày bắt đầu")),),
    ),
    Step(
        "accept",
        _("Nghiệm thu"),
        frozenset({Status.IN_PROGRESS}),
        Status.ACCEPTED,
        STAFF_ROLES,
        (
            F("acceptance_number", "text", _("Số biên bản nghiệm thu")),
            F("acceptance_date", "date", _("Ngày nghiệm thu")),
            F("accepted_cost", "money", _("Tổng kinh phí nghiệm thu (đồng)")),
            F("amounts", "amounts", _("Kinh phí hỗ trợ nghiệm thu theo nguồn")),
            F("document", "document", _("Biên bản nghiệm thu")),
        ),
        "success",
    ),
    Step(
        "settle",
        _("Quyết toán"),
        frozenset({Status.ACCEPTED}),
        Status.SETTLED,
        STAFF_ROLES,
        (
            F("actual_cost", "money", _("Kinh phí thực hiện (đồng)")),
            F("amounts", "amounts", _("Kinh phí hỗ trợ quyết toán theo nguồn")),
            F("liquidation_number", "text", _("Số biên bản thanh lý")),
            F("document", "document", _("Biên bản thanh lý")),
        ),
        "success",
    ),
    Step(
        "cancel",
        _("Hủy đề án"),
        frozenset({Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.APPRAISED}),
        Status.CANCELLED,
        STAFF_ROLES,
        (REASON,),
        "outline-danger",
    ),
    Step(
        "stop",
        _("Dừng thực hiện"),
        frozenset({Status.APPROVED, Status.CONTRACTED, Status.IN_PROGRESS}),
        Status.CANCELLED,
        LEADER_ROLES,
        (
            REASON,
            F("decision_number", "text", _("Số quyết định dừng")),
            F("decision_date", "date", _("Ngày quyết định dừng")),
        ),
        "outline-danger",
    ),
)

STEPS_BY_KEY = {step.key: step for step in STEPS}

# The document kind a step's file is stored as.
STEP_DOCUMENT_KIND = {
    "appraise": "appraisal_sheet",
    "accept": "acceptance_minutes",
    "settle": "liquidation_minutes",
}


def steps_from(status):
    return [step for step in STEPS if step.allows(status)]


def steps_for(user, status):
    """The steps `user` may take from `status`: what the buttons show."""
    from accounts.roles import user_roles

    roles = user_roles(user)
    return [step for step in steps_from(status) if roles & step.roles]
