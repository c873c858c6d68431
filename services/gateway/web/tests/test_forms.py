"""The error summary names the fields it is about (fast, no I/O)."""
from gateway.web import forms

PAGE = """<div class="error-summary" role="alert"><h2>Noe må rettes</h2><ul>
<li><a href="#f-email">Fyll ut dette feltet</a></li><li><a href="#f-display_name">Fyll ut dette feltet</a></li>
<li><a href="#f-ghost">Fyll ut dette feltet</a></li><li>Noe gikk galt</li></ul></div>
<form><label for="f-display_name">Navn <span class="req">*</span></label><input id="f-display_name">
<label for="f-email">E-post <span class="req">*</span></label><input id="f-email"></form>"""


def test_each_summary_link_says_which_field_it_is_about():
    html = forms.name_fields_in_summary(PAGE)
    assert '<a href="#f-email">E-post: Fyll ut dette feltet</a>' in html
    assert '<a href="#f-display_name">Navn: Fyll ut dette feltet</a>' in html
    assert '<a href="#f-ghost">Fyll ut dette feltet</a>' in html, "a field without a label keeps its message"
    assert html.endswith('<input id="f-email"></form>')


def test_a_page_without_errors_is_unchanged():
    assert forms.name_fields_in_summary("<p>ok</p>") == "<p>ok</p>"
