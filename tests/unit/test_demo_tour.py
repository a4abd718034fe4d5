"""Unit tests of siocli.modes.demo: the tour text (the demo itself runs in
tests/e2e/test_demo.py)."""

from siocli.modes.demo import TOUR, tour_text


def test_the_tour_names_what_to_type():
    text = "\n".join(tour_text("http://127.0.0.1:1"))
    for command, _ in TOUR:
        assert command in text
    assert "siocli connect http://127.0.0.1:1" in text
