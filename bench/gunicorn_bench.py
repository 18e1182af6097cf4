"""gunicorn configuration of bench/bench_http.py only (never production): the Django admin's
changelist of Project at 25 rows a page, beside the stock 100, for the requests that carry
`_per=25` (removed before the admin reads its parameters). Each sync worker serves one request at a
time, so setting the page size on the shared ModelAdmin for the length of the request is safe
there. Everything else is the portal as production runs it."""


def post_worker_init(worker):
    from django.contrib import admin

    from projects.models import Project

    model_admin = admin.site._registry[Project]
    stock = model_admin.list_per_page
    changelist_instance = model_admin.get_changelist_instance

    def changelist_with_page_size(request):
        # looked up on the instance when the changelist view runs (the URLs bind the view itself)
        if request.GET.get("_per") != "25":
            return changelist_instance(request)
        request.GET = request.GET.copy()
        del request.GET["_per"]
        model_admin.list_per_page = 25
        try:
            return changelist_instance(request)
        finally:
            model_admin.list_per_page = stock

    model_admin.get_changelist_instance = changelist_with_page_size
