"""Issue 10 item 9: uploads have per-project and per-account quotas (count and total size)."""

import pytest
from django.core.exceptions import ValidationError

from projects import services
from projects.models import RequiredDocument

from .utils import make_project, pdf

pytestmark = pytest.mark.django_db


def test_a_project_takes_no_more_documents_than_its_quota(staff, settings):
    settings.PROJECT_UPLOAD_MAX_FILES = 3
    project = make_project(staff)
    for _i in range(3):
        services.project_document_add(user=staff, project=project, kind="other", uploaded=pdf())
    with pytest.raises(ValidationError, match="tối đa 3 tệp") as refused:
        services.project_document_add(user=staff, project=project, kind="other", uploaded=pdf())
    assert refused.value.code == "upload_quota" and project.documents.count() == 3


def test_a_project_quota_counts_the_total_size(staff, settings):
    settings.PROJECT_UPLOAD_MAX_BYTES = len(pdf().read()) * 2
    project = make_project(staff)
    services.project_document_add(user=staff, project=project, kind="other", uploaded=pdf())
    services.project_document_add(user=staff, project=project, kind="other", uploaded=pdf())
    with pytest.raises(ValidationError, match="đủ dung lượng"):
        services.project_document_add(user=staff, project=project, kind="other", uploaded=pdf())


def test_an_applicant_account_uploads_no_more_than_its_daily_quota(
    staff, applicant_user, applicant, settings, tmp_path
):
    settings.USER_UPLOAD_DAILY_FILES = 2
    project = make_project(staff, beneficiaries=[applicant])
    kind = (
        RequiredDocument.objects.filter(provider=RequiredDocument.Provider.APPLICANT)
        .values_list("kind", flat=True)
        .first()
    )
    for _i in range(2):
        services.project_document_add(user=applicant_user, project=project, kind=kind, uploaded=pdf())
    with pytest.raises(ValidationError, match="24 giờ qua") as refused:
        services.project_document_add(user=applicant_user, project=project, kind=kind, uploaded=pdf())
    assert refused.value.code == "upload_quota"
    assert project.documents.filter(uploaded_by=applicant_user).count() == 2
    # nothing of the refused file stays on disk
    media = settings.MEDIA_ROOT
    assert len([p for p in media.rglob("*.pdf")]) == 2
    # staff are not held by the per-account quota
    services.project_document_add(user=staff, project=project, kind=kind, uploaded=pdf())
