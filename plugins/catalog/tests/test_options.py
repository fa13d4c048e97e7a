"""validate_options and options_label: the one check of a configuration."""

import pytest

from core.errors import ValidationFailed
from plugins.catalog import services
from plugins.catalog.models import Product


@pytest.fixture
def s801(app, catalog):
    with app.ctx.activate():
        yield Product.get_by_id(catalog["s801"].id)


def problems(product, options):
    with pytest.raises(ValidationFailed) as caught:
        services.validate_options(product, options)
    assert caught.value.status == 400
    return caught.value.details["options"]


def test_required_groups_left_out_get_their_first_active_value(s801):
    assert services.validate_options(s801, {}) == {"COVER": "FA", "COLOR": "NP-02"}
    assert services.validate_options(s801, None) == {"COVER": "FA", "COLOR": "NP-02"}
    assert services.default_options(s801) == {"COVER": "FA", "COLOR": "NP-02"}


def test_chosen_values_are_kept_in_display_order(s801):
    chosen = services.validate_options(s801, {"CUSHION": "CU-2", "COLOR": "NP-11", "COVER": "L1"})
    assert list(chosen.items()) == [("COVER", "L1"), ("COLOR", "NP-11"), ("CUSHION", "CU-2")]


def test_an_optional_group_may_be_left_empty(s801):
    assert services.validate_options(s801, {"CUSHION": None}) == {"COVER": "FA", "COLOR": "NP-02"}
    assert services.validate_options(s801, {"CUSHION": ""}) == {"COVER": "FA", "COLOR": "NP-02"}


def test_unknown_groups_and_values_are_named(s801):
    assert problems(s801, {"fabric": "X", "COVER": "X", "COLOR": "NP-02"}) == {
        "fabric": ["This product has no such option group."],
        "COVER": ["This option has no such value."],
    }


def test_an_inactive_value_cannot_be_chosen(s801):
    assert problems(s801, {"COVER": "OLD"}) == {"COVER": ["This option has no such value."]}


@pytest.mark.parametrize("value", [1, 1.5, True, ["FA"], {"code": "FA"}])
def test_values_must_be_strings(s801, value):
    assert problems(s801, {"COVER": value}) == {"COVER": ["Must be a value code (a string)."]}


def test_a_required_group_cannot_be_emptied(s801):
    assert problems(s801, {"COLOR": None}) == {"COLOR": ["Choose a value."]}
    assert problems(s801, {"COVER": ""}) == {"COVER": ["Choose a value."]}


@pytest.mark.parametrize("options", [["COVER", "FA"], "COVER=FA", 3])
def test_options_must_be_an_object(s801, options):
    with pytest.raises(ValidationFailed) as caught:
        services.validate_options(s801, options)
    assert caught.value.details == {"options": ["Must be an object of option group code to value code."]}


def test_a_product_without_groups_takes_no_options(app, catalog):
    with app.ctx.activate():
        plain = Product.get_by_id(catalog["b1"].id)
        assert services.validate_options(plain, {}) == {}
        with pytest.raises(ValidationFailed) as caught:
            services.validate_options(plain, {"COVER": "FA"})
    assert caught.value.details == {"options": {"COVER": ["This product has no such option group."]}}


def test_options_label_reads_like_the_order_line(s801):
    assert services.options_label(s801, {"COLOR": "NP-02", "COVER": "L1"}) == "面料: 头层牛皮L1 / 颜色: 米白"
    assert services.options_label(s801, {"COVER": "FA", "CUSHION": "CU-2"}) == "面料: 布A / 抱枕: 加配抱枕2个"
    assert services.options_label(s801, {"NOPE": "X", "COVER": "ZZ"}) == ""


def test_grade_group_is_the_price_zone(s801):
    assert services.grade_group(s801).code == "COVER"


def test_get_published_product_refuses_hidden_and_odd_ids(app, catalog):
    from core.errors import NotFound

    with app.ctx.activate():
        assert services.get_published_product(catalog["s801"].id).code == "S-801"
        for bad in (catalog["hidden"].id, 987654, 0, -1, 2**40, "1", None, True):
            with pytest.raises(NotFound):
                services.get_published_product(bad)


def test_a_required_group_without_values_cannot_be_configured(app, s801):
    from plugins.catalog.models import OptionGroup, OptionValue

    with app.ctx.activate():
        group = OptionGroup.get((OptionGroup.product == s801.id) & (OptionGroup.code == "COLOR"))
        OptionValue.update(active=False).where(OptionValue.group == group).execute()
        product = Product.get_by_id(s801.id)
        assert problems(product, {}) == {"COLOR": ["No value is available."]}
        assert services.default_options(product) == {"COVER": "FA"}
