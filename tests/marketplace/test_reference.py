import pytest
from sqlalchemy import func, select

from storefront.marketplace import reference
from storefront.marketplace.errors import InvalidValue, NotFound
from storefront.marketplace.models import AttributeType, Category, RequirementLevel
from tests import factories


def test_tree_paths_and_levels(session):
    home, appliances, washers = factories.category_tree(session)
    assert (home.level, appliances.level, washers.level) == (1, 2, 3)
    assert washers.path == f"/{home.id}/{appliances.id}/{washers.id}/"
    assert [c.code for c in reference.ancestors(session, washers)] == ["home", "appliances", "washers"]
    assert set(reference.subtree_ids(session, home)) == {home.id, appliances.id, washers.id}
    tree = reference.category_tree(session)
    assert [n.category.code for n in tree] == ["home"]
    assert tree[0].children[0].children[0].category.code == "washers"


def test_category_tree_is_one_query(session, count_queries):
    factories.category_tree(session)
    session.commit()
    with count_queries() as statements:
        reference.category_tree(session)
    assert len(statements) == 1


def test_attributes_inherit_and_nearest_requirement_wins(session):
    _, _, washers = factories.category_tree(session)
    links = {link.attribute.code: link.requirement for link in reference.attributes_for(session, washers)}
    assert links == {
        "colour": RequirementLevel.REQUIRED,  # overrides OPTIONAL from Maison
        "silent": RequirementLevel.OPTIONAL,
        "capacity_kg": RequirementLevel.RECOMMENDED,
    }


def test_unknown_parent_category_writes_nothing(session):
    with pytest.raises(NotFound, match="unknown category 'nope'"):
        reference.create_category(session, "child", "Enfant", parent_code="nope")
    assert session.scalar(select(func.count(Category.id))) == 0


@pytest.mark.parametrize("code", ["", "a b", "x" * 61, "é!"])
def test_bad_codes_are_refused(session, code):
    with pytest.raises(InvalidValue):
        reference.create_category(session, code, "Label")


def test_list_attribute_needs_an_existing_value_list(session):
    with pytest.raises(InvalidValue, match="needs a value list"):
        reference.create_attribute(session, "size", "Taille", AttributeType.LIST)
    with pytest.raises(NotFound):
        reference.create_attribute(session, "size", "Taille", AttributeType.LIST, value_list_code="nope")
    with pytest.raises(InvalidValue, match="only list attributes"):
        reference.create_attribute(session, "w", "Poids", AttributeType.DECIMAL, value_list_code="x")


def test_value_list_refuses_duplicates(session):
    with pytest.raises(InvalidValue, match="listed twice"):
        reference.create_value_list(session, "c", "C", [("A", "a"), ("A", "b")])


def test_brand_is_reused(session):
    assert reference.get_or_create_brand(session, " Bosch ").id == reference.get_or_create_brand(session, "Bosch").id
