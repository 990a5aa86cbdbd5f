# Bulgarian writes month names in lower case inside a date ("14 май 2018"); Django's own
# Bulgarian formats use "F", which its catalogue capitalises. "E" takes the month names from
# the "alt. month" entries of our catalogue instead. The rest is Django's.
from django.conf.locale.bg.formats import *  # noqa: F403

DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, H:i"
MONTH_DAY_FORMAT = "j E"
YEAR_MONTH_FORMAT = "E Y"

# Dates are typed the Bulgarian way, 15.05.2018 (the first format is also the one the admin's
# date fields show and its calendar writes); Django adds the ISO formats (2018-05-15) to these.
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%d.%m.%y"]
DATETIME_INPUT_FORMATS = [
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M:%S.%f",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
]
