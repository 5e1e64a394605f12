"""bAbI-format fixture files for tests (no real data)."""

QA1 = """1 Mary moved to the bathroom.
2 John went to the hallway.
3 Where is Mary? \tbathroom\t1
4 Daniel went back to the hallway.
5 Sandra moved to the garden.
6 Where is Daniel? \thallway\t4
1 Sandra travelled to the office.
2 Where is Sandra? \toffice\t1
"""
QA19 = """1 The office is east of the hallway.
2 The kitchen is north of the office.
3 How do you go from the hallway to the kitchen?\te,n\t1 2
"""
QA2 = """1 Mary got the football there.
2 Mary went to the zoo.
3 Where is the football?\tzoo\t1 2
"""


def write_two_tasks(root, name="en"):
    """Tasks 1 and 19 (train = test), and task 2 whose words the others lack."""
    folder = root / "tasks_1-20_v1-2" / name
    folder.mkdir(parents=True)
    for stem, text in (("qa1_single-supporting-fact", QA1), ("qa19_path-finding", QA19),
                       ("qa2_two-supporting-facts", QA2)):
        (folder / f"{stem}_train.txt").write_text(text)
        (folder / f"{stem}_test.txt").write_text(text)
    return root
