"""The one transition table of a project (đề án), after Thông tư 36/2013/TT-BCT, declared for the
one engine (core.workflow). The service `projects.services.project_transition`, the buttons, the
step forms and their defaults, the page's timeline and the tests all read `STEPS`. Each step names
the fields it records (`copy_to`: the ones the project keeps), its handler (projects.services.steps)
and the document kind its file is stored as. State keys are ASCII constants; only labels are
translated."""

from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, user_roles
from core.workflow import Field, Step, Workflow

from .models import Status
from .services import steps as handlers

STAFF_ROLES = frozenset({Role.STAFF, Role.LEADER})  # a leader may do all that staff may
LEADER_ROLES = frozenset({Role.LEADER})

F = Field
# Every step takes an optional comment; a step that asks for one declares it required.
COMMENT = F("comment", "note", _("Ý kiến"), required=False)
REASON = F("reason", "note", _("Lý do"))
DECISION_NUMBER = F("decision_number", "text", _("Số quyết định"), copy_to="decision_number")
DECISION_DATE = F("decision_date", "date", _("Ngày quyết định"), copy_to="decision_date")
APPRAISAL_DATE = F("appraisal_date", "date", _("Ngày thẩm định"))
APPRAISAL_SHEET = F("document", "document", _("Phiếu thẩm định"))

STEPS = (
    Step(
        "submit",
        _("Trình thẩm định"),
        frozenset({Status.DRAFT, Status.RETURNED}),
        Status.SUBMITTED,
        STAFF_ROLES,
        (COMMENT,),
        handler=handlers.submit,
    ),
    Step(
        "return",
        _("Trả lại bổ sung"),
        frozenset({Status.SUBMITTED}),
        Status.RETURNED,
        STAFF_ROLES,
        (F("comment", "note", _("Nội dung cần bổ sung")),),
        "warning",
    ),
    # A pass leads on to the decision; a fail goes back to the preparer with what must change
    # (each step one target state). Neither may be taken by who prepared the đề án
    # (programmes.ApprovalRules; preparers in projects.services.steps).
    Step(
        "appraise",
        _("Thẩm định đạt"),
        frozenset({Status.SUBMITTED}),
        Status.APPRAISED,
        STAFF_ROLES,
        (APPRAISAL_DATE, F("comment", "note", _("Ý kiến thẩm định")), APPRAISAL_SHEET),
        handler=handlers.appraise,
        document_kind="appraisal_sheet",
    ),
    Step(
        "appraise_fail",
        _("Thẩm định không đạt"),
        frozenset({Status.SUBMITTED}),
        Status.RETURNED,
        STAFF_ROLES,
        (APPRAISAL_DATE, F("comment", "note", _("Nội dung phải sửa đổi, bổ sung")), APPRAISAL_SHEET),
        "warning",
        handler=handlers.appraise_fail,
        document_kind="appraisal_sheet",
    ),
    Step(
        "approve",
        _("Phê duyệt"),
        frozenset({Status.APPRAISED}),
        Status.APPROVED,
        LEADER_ROLES,
        (
            DECISION_NUMBER,
            DECISION_DATE,
            # checked against the lead fund's issuers (programmes.DecisionIssuer); the form starts
            # from the first of them
            F("issuer", "choice", _("Cơ quan ban hành quyết định"), initial="lead_issuer"),
            # the form starts from the budget's state-support lines
            F("amounts", "amounts", _("Kinh phí hỗ trợ được duyệt theo nguồn"), initial="state_lines"),
            # asked for by the handler when a state line has no support rule in force
            F(
                "legal_basis",
                "text",
                _("Căn cứ pháp lý áp dụng khi chưa có quy định mức hỗ trợ (số, ngày nghị quyết, quyết định)"),
                required=False,
            ),
            # asked for by the handler when less support than proposed is approved: the
            # beneficiary's commitment to the larger counterpart share, or a smaller scale
            F(
                "counterpart_commitment",
                "text",
                _("Cam kết tăng vốn đối ứng khi duyệt thấp hơn đề xuất (văn bản số…, của cơ sở)"),
                required=False,
            ),
            F("counterpart_commitment_date", "date", _("Ngày văn bản cam kết đối ứng"), required=False),
            F("models_count", "number", _("Số mô hình được duyệt (khi giảm quy mô)"), required=False),
            F(
                "planned_beneficiaries",
                "number",
                _("Số cơ sở thụ hưởng dự kiến được duyệt (khi giảm quy mô)"),
                required=False,
            ),
            COMMENT,
        ),
        "primary",
        handler=handlers.approve,
    ),
    Step(
        "reject",
        _("Không phê duyệt"),
        frozenset({Status.SUBMITTED, Status.APPRAISED}),
        Status.REJECTED,
        LEADER_ROLES,
        (REASON, COMMENT),
        "danger",
    ),
    Step(
        "contract",
        _("Ghi hợp đồng"),
        frozenset({Status.APPROVED}),
        Status.CONTRACTED,
        STAFF_ROLES,
        (
            F("contract_number", "text", _("Số hợp đồng"), copy_to="contract_number"),
            F("contract_date", "date", _("Ngày ký"), copy_to="contract_date"),
            F("contract_parties", "text", _("Các bên ký")),
            # the form starts from the approved support, which the contract must equal
            F(
                "contract_value",
                "money",
                _("Giá trị hợp đồng (đồng)"),
                copy_to="contract_value",
                initial="approved_support",
            ),
            COMMENT,
        ),
        handler=handlers.contract,
    ),
    Step(
        "start",
        _("Bắt đầu thực hiện"),
        frozenset({Status.CONTRACTED}),
        Status.IN_PROGRESS,
        STAFF_ROLES,
        (F("start_date", "date", _("Ngày bắt đầu"), copy_to="started_on"), COMMENT),
        handler=handlers.start,
    ),
    Step(
        "accept",
        _("Nghiệm thu"),
        frozenset({Status.IN_PROGRESS}),
        Status.ACCEPTED,
        STAFF_ROLES,
        (
            F("acceptance_number", "text", _("Số biên bản nghiệm thu"), copy_to="acceptance_number"),
            F("acceptance_date", "date", _("Ngày nghiệm thu"), copy_to="acceptance_date"),
            F("accepted_cost", "money", _("Tổng kinh phí nghiệm thu (đồng)"), copy_to="accepted_cost"),
            F("amounts", "amounts", _("Kinh phí hỗ trợ nghiệm thu theo nguồn")),
            F("document", "document", _("Biên bản nghiệm thu")),
            COMMENT,
        ),
        "primary",
        handler=handlers.accept,
        document_kind="acceptance_minutes",
    ),
    Step(
        "settle",
        _("Thanh lý, quyết toán"),
        frozenset({Status.ACCEPTED}),
        Status.SETTLED,
        STAFF_ROLES,
        (
            # the date the settlement records, not the day it is entered
            F("settlement_date", "date", _("Ngày quyết toán"), copy_to="settled_on"),
            F("actual_cost", "money", _("Kinh phí thực hiện (đồng)"), copy_to="actual_cost"),
            F("amounts", "amounts", _("Kinh phí hỗ trợ quyết toán theo nguồn")),
            F("liquidation_number", "text", _("Số biên bản thanh lý")),
            F("document", "document", _("Biên bản thanh lý")),
            COMMENT,
        ),
        "primary",
        handler=handlers.settle,
        document_kind="liquidation_minutes",
    ),
    Step(
        "cancel",
        _("Hủy đề án"),
        frozenset({Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.APPRAISED}),
        Status.CANCELLED,
        STAFF_ROLES,
        (REASON, COMMENT),
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
            COMMENT,
        ),
        "outline-danger",
    ),
)

# History rows that services write outside the table (creation, import, adjustment by decision):
# never offered as buttons (no from-state, no role), declared so the timeline reads their fields
# the same way.
HISTORY_STEPS = (
    Step("create", _("Lập đề án"), frozenset(), Status.DRAFT, frozenset(), (COMMENT,)),
    Step("import", _("Nhập từ tệp"), frozenset(), "", frozenset(), (COMMENT,)),
    Step(
        "adjust",
        _("Điều chỉnh"),
        frozenset(),
        "",
        frozenset(),
        (
            F("decision_number", "text", _("Số quyết định điều chỉnh")),
            F("decision_date", "date", _("Ngày quyết định")),
            F("legal_basis", "text", _("Căn cứ pháp lý áp dụng"), required=False),
            F("comment", "note", _("Nội dung điều chỉnh"), required=False),
        ),
    ),
)

WORKFLOW = Workflow(
    STEPS,
    roles_of=user_roles,
    state_label=lambda project: project.get_status_display(),
    not_allowed_message=_("Không thể “%(step)s” đề án đang ở trạng thái “%(status)s”."),
)
STEPS_BY_KEY = WORKFLOW.by_key


def steps_from(status: str) -> list[Step]:
    return WORKFLOW.steps_from(status)


def steps_for(user, status: str) -> list[Step]:
    """The steps `user` may take from `status`: what the buttons show."""
    return WORKFLOW.steps_for(user, status)
