# Bulgarian writes month names in lower case inside a date ("14 май 2018"); Django's own
# Bulgarian formats use "F", which its catalogue capitalises. "E" takes the month names from
# the "alt. month" entries of our catalogue instead. The rest is Django's.
from django.conf.locale.bg.formats import *  # noqa: F403

DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, H:i"
MONTH_DAY_FORMAT = "j E"
YEAR_MONTH_FORMAT = "E Y"
