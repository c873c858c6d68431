"""The map pages' tile server is configurable, and only its origin is added to the pages' policy."""
from gateway.web.views import maps


def test_openstreetmap_by_default_with_its_attribution():
    url, attribution = maps.tiles({"MAP_TILE_URL": ""})
    assert url == maps.OSM_TILES and "OpenStreetMap" in attribution
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in maps.policy({})


def test_another_tile_server_is_the_only_origin_added():
    config = {"MAP_TILE_URL": "https://{s}.tiles.example.org/v1/{z}/{x}/{y}.png", "MAP_TILE_ATTRIBUTION": "© Kortforsyningen"}
    assert maps.tiles(config) == (config["MAP_TILE_URL"], "© Kortforsyningen")
    policy = maps.policy(config)
    assert "img-src 'self' data: https://*.tiles.example.org;" in policy
    assert "openstreetmap" not in policy and "script-src 'self';" in policy
