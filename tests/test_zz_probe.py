from django.utils import translation
from registrations.exports import DATASETS


def test_labels():
    with translation.override("bg"):
        for n, d in DATASETS.items():
            print(n, repr(str(d.label)), len(str(d.label)))
        print([str(c.label) for c in DATASETS["attendees"].columns])
