"""Volunteer pools and quotas as CSV (fast, no I/O)."""
import pytest

from gateway import pools


def test_a_pool_is_one_row_per_volunteer_with_id_household_and_features():
    text = "\ufeffID,Household,age,area\r\nv1,h1,16-29,Øst\r\n\r\nv2,,65+,Vest\r\n"
    assert pools.parse_pool(text) == [
        {"id": "v1", "features": {"age": "16-29", "area": "Øst"}, "household": "h1"},
        {"id": "v2", "features": {"age": "65+", "area": "Vest"}, "household": None},
    ]


def test_quoted_values_with_commas_are_one_value():
    assert pools.parse_pool('id,area\nv1,"Øst, Aalborg"\n')[0]["features"] == {"area": "Øst, Aalborg"}


@pytest.mark.parametrize("text, code, rows", [
    ("", "empty", []),
    ("name,age\nAnna,20\n", "header", []),
    ("id,age,age\nv1,1,2\n", "header", []),
    ("id,age\nv1,20\nv1,30\nv3\nv4,\n", "rows", [3, 4, 5]),
])
def test_a_bad_pool_is_refused_naming_what_is_wrong(text, code, rows):
    with pytest.raises(pools.PoolInvalid) as caught:
        pools.parse_pool(text, field="pool_csv")
    assert caught.value.code == code and caught.value.rows == rows
    assert caught.value.errors[0]["field"] == "pool_csv"


def test_quotas_take_the_categories_form_with_or_without_a_header():
    quotas, bad = pools.parse_quotas("feature,value,min,max\nage,16-29,1,3\nage,65+,0,2\narea,Øst,x,2\n")
    assert quotas == {"age": {"16-29": {"min": 1, "max": 3}, "65+": {"min": 0, "max": 2}}}
    assert bad == [4]


def test_a_csv_request_becomes_the_matching_service_panel_request():
    body = pools.PanelCsvRequest(size=2, pool_csv="id,age\na,1\nb,2\nc,1\n", quotas_csv="age,1,1,1\nage,2,1,1",
                                 seed=3)
    payload = pools.panel_request(body)
    assert payload["volunteers"][2] == {"id": "c", "features": {"age": "1"}, "household": None}
    assert payload["quotas"] == {"age": {"1": {"min": 1, "max": 1}, "2": {"min": 1, "max": 1}}}
    assert payload["size"] == 2 and payload["seed"] == 3 and "pool_csv" not in payload
