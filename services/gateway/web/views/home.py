"""The front page and each municipality's home: what is under way, what
happened lately, what meetings are coming, and how co-creation works here."""
from ..app import page_route

ONGOING = ["forming", "active"]
RECENT = ["submitted", "published", "forming", "active", "concluded"]


@page_route("/")
def index(page):
    served = list(page.gateway.municipalities.values())
    if len(served) == 1:
        return page.redirect(f"/municipalities/{served[0].id}")
    return page.render("index.html", title=page._("index.title"), served=served)


@page_route("/municipalities/<m>")
def home(page, m):
    municipality = page.in_municipality(m)
    found = page.gather(
        ongoing=("proposals", "list_page", (municipality.id, page.actor, {"status": ONGOING, "sort": "active",
                                                                          "limit": 6}), {"items": []}),
        recent=("proposals", "list_page", (municipality.id, page.actor, {"status": RECENT, "sort": "active",
                                                                         "limit": 8}), {"items": []}),
        meetings=("meetings", "list", (municipality.id, page.actor, None, True, 5), []),
    )
    return page.render("home.html", title=page._("home.title"), ongoing=found["ongoing"]["items"],
                       recent=found["recent"]["items"], meetings=found["meetings"])
