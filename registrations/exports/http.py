"""What an exported file is called when it is downloaded."""

from django.utils import timezone

from .base import Dataset


def filename(dataset: Dataset, extension: str) -> str:
    return f"{dataset.event.slug}-{dataset.name}-{timezone.localdate():%Y%m%d}.{extension}"
