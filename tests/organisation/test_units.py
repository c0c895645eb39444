from amg_portal.organisation.models import Unit
from amg_portal.organisation.services import unit_create


def test_it_lists_a_subtree_in_one_query(
    faculty, unit_a, group_a1, unit_b, django_assert_num_queries
):
    unit = Unit.objects.get(pk=unit_a.pk)
    with django_assert_num_queries(1):
        names = [u.name for u in unit.subtree()]
    assert names == ["Institut A", "Gruppe A1"]


def test_it_lists_ancestors_root_first_in_one_query(
    faculty, unit_a, group_a1, django_assert_num_queries
):
    group = Unit.objects.get(pk=group_a1.pk)
    with django_assert_num_queries(1):
        names = [u.name for u in group.ancestors()]
    assert names == ["Fakultet", "Institut A"]


def test_it_computes_ancestor_paths_without_a_query(group_a1, django_assert_num_queries):
    with django_assert_num_queries(0):
        paths = group_a1.ancestor_paths()
    assert paths[-1] == group_a1.path
    assert len(paths) == 3
    assert all(group_a1.path.startswith(p) for p in paths)


def test_a_deep_subtree_still_takes_one_query(faculty, django_assert_num_queries):
    parent = faculty
    for depth in range(8):
        parent = unit_create(parent=parent, name=f"Level {depth}", kind="group")
    root = Unit.objects.get(pk=faculty.pk)
    with django_assert_num_queries(1):
        assert len(list(root.subtree())) == 9
