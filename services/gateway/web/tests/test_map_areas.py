"""The new-proposal form's area field: a corner a line, "latitude, longitude" as people
write them (decimal point or comma), made into the GeoJSON Polygon the service checks;
a bad line or a bad shape is named at the field."""
from gateway.web.views import maps


class Page:
    lang = "da"

    def _(self, key, **values):
        return f"{key} {values}" if values else key


def test_typed_corners_become_a_closed_counterclockwise_polygon_longitude_first():
    errors = {}
    area = maps.area_field(Page(), "57,05 9,91\n57.06, 9.91\n\n57.06, 9.93\n57.05,9.93\n", errors)
    assert errors == {}
    ring = area["coordinates"][0]
    assert ring[0] == ring[-1] and sorted(map(tuple, ring[:-1])) == [(9.91, 57.05), (9.91, 57.06), (9.93, 57.05),
                                                                     (9.93, 57.06)]


def test_an_empty_field_is_no_area():
    assert maps.area_field(Page(), " \n", {}) is None


def test_a_line_without_two_numbers_is_named_by_its_number():
    errors = {}
    assert maps.area_field(Page(), "57.05, 9.91\n57.06\n57.06, 9.93", errors) is None
    assert errors == {"boundary": "area.line {'n': 2}"}
    errors = {}
    maps.area_field(Page(), "57.05, 9.91\nnorth of 57.06, 9.91\n57.06, 9.93", errors)
    assert errors == {"boundary": "area.line {'n': 2}"}


def test_a_shape_the_service_would_refuse_is_refused_at_the_field():
    errors = {}
    assert maps.area_field(Page(), "57.05, 9.91\n57.06, 9.93\n57.05, 9.93\n57.06, 9.91", errors) is None
    assert "cross or touch" in errors["boundary"]
    errors = {}
    maps.area_field(Page(), "56.0, 9.0\n57.0, 9.0\n57.0, 11.0", errors)
    assert "100 km" in errors["boundary"]
