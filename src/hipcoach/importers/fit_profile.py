"""The slice of the FIT profile the FIT decoder needs: numbers, scales and a few names.

The FIT protocol stores no field names, only numbers; their meaning lives in Garmin's
profile (``Profile.xlsx`` of the FIT SDK). We need only a small part of it, kept here as
plain data so the decoder (``fit.py``) stays readable and needs no profile library at run
time. The numbers were checked against the profile shipped by fitdecode 0.11 (FIT SDK
21.171); ``tests/importers/test_fit.py`` re-checks them whenever fitdecode is installed.
"""

from __future__ import annotations

from typing import Final

# --------------------------------------------------------------------------- protocol

#: Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
FIT_EPOCH_UNIX_S: Final = 631_065_600
#: date_time values below this are seconds since the device powered on, not dates.
FIT_MIN_ABSOLUTE_TIME: Final = 0x10000000

# Base types by their 5-bit type code (bits 0-4 of the base-type byte; bit 7 only says
# whether the type has an endianness). Value: (numpy kind, size in bytes, invalid value).
# ``None`` as invalid value: floats, whose invalid bit pattern (all ones) is a NaN anyway.
BASE_TYPES: Final[dict[int, tuple[str, int, int | None]]] = {
    0x00: ("u1", 1, 0xFF),  # enum
    0x01: ("i1", 1, 0x7F),  # sint8
    0x02: ("u1", 1, 0xFF),  # uint8
    0x03: ("i2", 2, 0x7FFF),  # sint16
    0x04: ("u2", 2, 0xFFFF),  # uint16
    0x05: ("i4", 4, 0x7FFFFFFF),  # sint32
    0x06: ("u4", 4, 0xFFFFFFFF),  # uint32
    0x07: ("u1", 1, 0x00),  # string (NUL-terminated UTF-8)
    0x08: ("f4", 4, None),  # float32
    0x09: ("f8", 8, None),  # float64
    0x0A: ("u1", 1, 0x00),  # uint8z
    0x0B: ("u2", 2, 0x0000),  # uint16z
    0x0C: ("u4", 4, 0x00000000),  # uint32z
    0x0D: ("u1", 1, 0xFF),  # byte (array; invalid when every byte is 0xFF)
    0x0E: ("i8", 8, 0x7FFFFFFFFFFFFFFF),  # sint64
    0x0F: ("u8", 8, 0xFFFFFFFFFFFFFFFF),  # uint64
    0x10: ("u8", 8, 0x0000000000000000),  # uint64z
}
#: Unknown type codes are read as bytes, as the protocol's robustness rule suggests.
BYTE_TYPE: Final = 0x0D

# ------------------------------------------------------------------- message numbers

MESG_FILE_ID: Final = 0
MESG_SPORT: Final = 12
MESG_SESSION: Final = 18
MESG_LAP: Final = 19
MESG_RECORD: Final = 20
MESG_ACTIVITY: Final = 34

FIELD_TIMESTAMP: Final = 253  # date_time in every message that has it

# A field spec: (field number, scale, offset). Value = raw / scale - offset.
FieldSpec = tuple[int, float, float]

FILE_ID_FIELDS: Final[dict[str, FieldSpec]] = {
    "type": (0, 1.0, 0.0),
    "manufacturer": (1, 1.0, 0.0),
    "product": (2, 1.0, 0.0),
    "serial_number": (3, 1.0, 0.0),
    "time_created": (4, 1.0, 0.0),
}

SPORT_FIELDS: Final[dict[str, FieldSpec]] = {
    "sport": (0, 1.0, 0.0),
    "sub_sport": (1, 1.0, 0.0),
}

SESSION_FIELDS: Final[dict[str, FieldSpec]] = {
    "timestamp": (253, 1.0, 0.0),
    "start_time": (2, 1.0, 0.0),
    "sport": (5, 1.0, 0.0),
    "sub_sport": (6, 1.0, 0.0),
    "total_elapsed_time": (7, 1000.0, 0.0),
    "total_timer_time": (8, 1000.0, 0.0),
    "total_distance": (9, 100.0, 0.0),
    "total_calories": (11, 1.0, 0.0),
    "avg_speed": (14, 1000.0, 0.0),
    "max_speed": (15, 1000.0, 0.0),
    "avg_heart_rate": (16, 1.0, 0.0),
    "max_heart_rate": (17, 1.0, 0.0),
    "avg_cadence": (18, 1.0, 0.0),
    "total_ascent": (22, 1.0, 0.0),
    "avg_fractional_cadence": (92, 128.0, 0.0),
    "enhanced_avg_speed": (124, 1000.0, 0.0),
    "enhanced_max_speed": (125, 1000.0, 0.0),
}

LAP_FIELDS: Final[dict[str, FieldSpec]] = {
    "timestamp": (253, 1.0, 0.0),
    "start_time": (2, 1.0, 0.0),
    "total_elapsed_time": (7, 1000.0, 0.0),
    "total_distance": (9, 100.0, 0.0),
    "avg_heart_rate": (15, 1.0, 0.0),
    "sport": (25, 1.0, 0.0),
    "sub_sport": (39, 1.0, 0.0),
}

ACTIVITY_FIELDS: Final[dict[str, FieldSpec]] = {
    "timestamp": (253, 1.0, 0.0),
    "local_timestamp": (5, 1.0, 0.0),
}

RECORD_FIELDS: Final[dict[str, FieldSpec]] = {
    "timestamp": (253, 1.0, 0.0),
    "position_lat": (0, 1.0, 0.0),  # semicircles
    "position_long": (1, 1.0, 0.0),
    "altitude": (2, 5.0, 500.0),
    "heart_rate": (3, 1.0, 0.0),
    "cadence": (4, 1.0, 0.0),
    "distance": (5, 100.0, 0.0),
    "speed": (6, 1000.0, 0.0),
    "power": (7, 1.0, 0.0),
    "fractional_cadence": (53, 128.0, 0.0),
    "enhanced_speed": (73, 1000.0, 0.0),
    "enhanced_altitude": (78, 5.0, 500.0),
}
#: record.compressed_speed_distance: 3 bytes = speed (12 bits, /100 m/s) and distance
#: (12 bits, /16 m, accumulated across records because it rolls over every 256 m).
RECORD_COMPRESSED_SPEED_DISTANCE: Final = 8

SEMICIRCLE_DEG: Final = 180.0 / 2**31

# Date-time fields other than 253 (which is a date_time wherever it appears), by message
# number: shift_timestamps moves these too. From the profile's date_time and
# local_date_time fields.
DATE_TIME_FIELDS: Final[dict[int, frozenset[int]]] = {
    0: frozenset({4}),  # file_id.time_created
    2: frozenset({39}),  # device_settings.clock_time
    15: frozenset({2, 3}),  # goal.start_date, end_date
    18: frozenset({2}),  # session.start_time
    19: frozenset({2}),  # lap.start_time
    21: frozenset({15}),  # event.start_timestamp
    28: frozenset({3, 6}),  # schedule.time_created, scheduled_time
    32: frozenset({1}),  # course_point.timestamp
    34: frozenset({5}),  # activity.local_timestamp
    55: frozenset({11}),  # monitoring.local_timestamp
    72: frozenset({4}),  # training_file.time_created
    101: frozenset({2}),  # length.start_time
    103: frozenset({0}),  # monitoring_info.local_timestamp
    128: frozenset({9}),  # weather_conditions.observed_at_time
    129: frozenset({1, 2}),  # weather_alert.issue_time, expire_time
    142: frozenset({2}),  # segment_lap.start_time
    160: frozenset({6}),  # gps_metadata.utc_timestamp
    162: frozenset({1, 3}),  # timestamp_correlation.system_timestamp, local_timestamp
    174: frozenset({6}),  # obdii_data.start_timestamp
    187: frozenset({1, 3}),  # video_clip.start_timestamp, end_timestamp
    225: frozenset({6, 254}),  # set.start_time, set.timestamp
    227: frozenset({1}),  # stress_level.stress_level_time
    229: frozenset({0}),  # max_met_data.update_time
    312: frozenset({9, 27}),  # split.start_time, end_time
    398: frozenset({0}),  # skin_temp_overnight.local_timestamp
}

# ------------------------------------------------------------------------------ names

FILE_TYPES: Final[dict[int, str]] = {
    1: "device",
    2: "settings",
    3: "sport",
    4: "activity",
    5: "workout",
    6: "course",
    7: "schedules",
    9: "weight",
    10: "totals",
    11: "goals",
    14: "blood_pressure",
    15: "monitoring_a",
    20: "activity_summary",
    28: "monitoring_daily",
    32: "monitoring_b",
    34: "segment",
    35: "segment_list",
    40: "exd_configuration",
}

SPORTS: Final[dict[int, str]] = {
    0: "generic",
    1: "running",
    2: "cycling",
    3: "transition",
    4: "fitness_equipment",
    5: "swimming",
    6: "basketball",
    7: "soccer",
    8: "tennis",
    9: "american_football",
    10: "training",
    11: "walking",
    12: "cross_country_skiing",
    13: "alpine_skiing",
    14: "snowboarding",
    15: "rowing",
    16: "mountaineering",
    17: "hiking",
    18: "multisport",
    19: "paddling",
    20: "flying",
    21: "e_biking",
    22: "motorcycling",
    23: "boating",
    24: "driving",
    25: "golf",
    26: "hang_gliding",
    27: "horseback_riding",
    28: "hunting",
    29: "fishing",
    30: "inline_skating",
    31: "rock_climbing",
    32: "sailing",
    33: "ice_skating",
    34: "sky_diving",
    35: "snowshoeing",
    36: "snowmobiling",
    37: "stand_up_paddleboarding",
    38: "surfing",
    39: "wakeboarding",
    40: "water_skiing",
    41: "kayaking",
    42: "rafting",
    43: "windsurfing",
    44: "kitesurfing",
    45: "tactical",
    46: "jumpmaster",
    47: "boxing",
    48: "floor_climbing",
    49: "baseball",
    53: "diving",
    62: "hiit",
    64: "racket",
    65: "wheelchair_push_walk",
    66: "wheelchair_push_run",
    67: "meditation",
    69: "disc_golf",
    71: "cricket",
    72: "rugby",
    73: "hockey",
    74: "lacrosse",
    75: "volleyball",
    76: "water_tubing",
    77: "wakesurfing",
    80: "mixed_martial_arts",
    82: "snorkeling",
    83: "dance",
    84: "jump_rope",
    254: "all",
}

SUB_SPORTS: Final[dict[int, str]] = {
    0: "generic",
    1: "treadmill",
    2: "street",
    3: "trail",
    4: "track",
    5: "spin",
    6: "indoor_cycling",
    7: "road",
    8: "mountain",
    9: "downhill",
    10: "recumbent",
    11: "cyclocross",
    12: "hand_cycling",
    13: "track_cycling",
    14: "indoor_rowing",
    15: "elliptical",
    16: "stair_climbing",
    17: "lap_swimming",
    18: "open_water",
    19: "flexibility_training",
    20: "strength_training",
    21: "warm_up",
    22: "match",
    23: "exercise",
    24: "challenge",
    25: "indoor_skiing",
    26: "cardio_training",
    27: "indoor_walking",
    28: "e_bike_fitness",
    29: "bmx",
    30: "casual_walking",
    31: "speed_walking",
    32: "bike_to_run_transition",
    33: "run_to_bike_transition",
    34: "swim_to_bike_transition",
    35: "atv",
    36: "motocross",
    37: "backcountry",
    38: "resort",
    39: "rc_drone",
    40: "wingsuit",
    41: "whitewater",
    42: "skate_skiing",
    43: "yoga",
    44: "pilates",
    45: "indoor_running",
    46: "gravel_cycling",
    47: "e_bike_mountain",
    48: "commuting",
    49: "mixed_surface",
    50: "navigate",
    51: "track_me",
    52: "map",
    53: "single_gas_diving",
    54: "multi_gas_diving",
    55: "gauge_diving",
    56: "apnea_diving",
    57: "apnea_hunting",
    58: "virtual_activity",
    59: "obstacle",
    62: "breathing",
    65: "sail_race",
    67: "ultra",
    68: "indoor_climbing",
    69: "bouldering",
    70: "hiit",
    73: "amrap",
    74: "emom",
    75: "tabata",
    84: "pickleball",
    85: "padel",
    86: "indoor_wheelchair_walk",
    87: "indoor_wheelchair_run",
    88: "indoor_hand_cycling",
    94: "squash",
    95: "badminton",
    96: "racquetball",
    97: "table_tennis",
    110: "fly_canopy",
    111: "fly_paraglide",
    112: "fly_paramotor",
    113: "fly_pressurized",
    114: "fly_navigate",
    115: "fly_timer",
    116: "fly_altimeter",
    117: "fly_wx",
    118: "fly_vfr",
    119: "fly_ifr",
    254: "all",
}

# Makers seen in runners' and cyclists' files; anything else stays a number.
MANUFACTURERS: Final[dict[int, str]] = {
    1: "garmin",
    6: "srm",
    7: "quarq",
    9: "saris",
    13: "dynastream_oem",
    14: "nautilus",
    15: "dynastream",
    16: "timex",
    19: "beurer",
    23: "suunto",
    28: "peaksware",
    32: "wahoo_fitness",
    37: "magellan",
    38: "osynce",
    39: "holux",
    40: "concept2",
    41: "shimano",
    44: "brim_brothers",
    45: "xplova",
    48: "pioneer",
    51: "4iiiis",
    64: "wtek",
    67: "bkool",
    68: "cateye",
    69: "stages_cycling",
    70: "sigmasport",
    71: "tomtom",
    76: "moxy",
    83: "scosche",
    86: "elite",
    89: "tacx",
    95: "stryd",
    98: "bsx_athletics",
    99: "look",
    100: "campagnolo_srl",
    107: "magene",
    114: "soaring_technology",
    115: "igpsport",
    121: "kinetic",
    123: "polar_electro",
    132: "cycplus",
    135: "coospo",
    143: "keiser_fitness",
    144: "zwift_byte",
    255: "development",
    258: "lezyne",
    260: "zwift",
    263: "favero_electronics",
    265: "strava",
    267: "bryton",
    268: "sram",
    271: "spivi",
    272: "mio_magellan",
    281: "trainer_road",
    282: "the_sufferfest",
    284: "virtualtraining",
    289: "hammerhead",
    294: "coros",
    307: "onelap",
    310: "decathlon",
    326: "nike",
    331: "mywhoosh",
}

#: file_id.product is a garmin_product for these manufacturers (profile subfield rule).
GARMIN_PRODUCT_MAKERS: Final = frozenset({1, 13, 15, 89})

# Common Garmin devices (watches, bike computers, sensors); regional variants left out.
GARMIN_PRODUCTS: Final[dict[int, str]] = {
    1: "hrm1",
    5: "hrm2ss",
    7: "hrm3ss",
    717: "fr405",
    782: "fr50",
    988: "fr60",
    1018: "fr310xt",
    1036: "edge500",
    1124: "fr110",
    1169: "edge800",
    1325: "edge200",
    1328: "fr910xt",
    1345: "fr610",
    1436: "fr70",
    1482: "fr10",
    1551: "fenix",
    1561: "edge510",
    1567: "edge810",
    1623: "fr620",
    1632: "fr220",
    1743: "hrm_tri",
    1752: "hrm_run",
    1765: "fr920xt",
    1836: "edge1000",
    1903: "fr15",
    1907: "vivo_active",
    1967: "fenix2",
    1988: "epix",
    2050: "fenix3",
    2067: "edge520",
    2147: "edge25",
    2148: "fr25",
    2153: "fr225",
    2156: "fr630",
    2157: "fr230",
    2158: "fr735xt",
    2238: "edge20",
    2327: "hrm4_run",
    2337: "vivo_active_hr",
    2413: "fenix3_hr",
    2431: "fr235",
    2503: "fr35",
    2530: "edge_820",
    2544: "fenix5s",
    2604: "fenix5x",
    2691: "fr935",
    2697: "fenix5",
    2700: "vivoactive3",
    2713: "edge_1030",
    2886: "fr645",
    2888: "fr645m",
    2891: "fr30",
    2900: "fenix5s_plus",
    3011: "edge_explore",
    3076: "fr245",
    3077: "fr245_music",
    3110: "fenix5_plus",
    3111: "fenix5x_plus",
    3112: "edge_520_plus",
    3113: "fr945",
    3121: "edge_530",
    3122: "edge_830",
    3224: "vivoactive4_small",
    3225: "vivoactive4_large",
    3226: "venu",
    3282: "fr45",
    3289: "fenix6_sport",
    3290: "fenix6",
    3291: "fenix6x",
    3299: "hrm_dual",
    3300: "hrm_pro",
    3466: "instinct_solar",
    3558: "edge_130_plus",
    3570: "edge_1030_plus",
    3589: "fr745",
    3596: "venusq_music",
    3600: "venusq",
    3638: "enduro",
    3652: "fr945_lte",
    3703: "venu2",
    3704: "venu2s",
    3843: "edge_1040",
    3851: "venu2_plus",
    3869: "fr55",
    3888: "instinct_2",
    3889: "instinct_2s",
    3905: "fenix7s",
    3906: "fenix7",
    3907: "fenix7x",
    3943: "epix_gen2",
    3990: "fr255_music",
    3991: "fr255_small_music",
    3992: "fr255",
    3993: "fr255_small",
    4024: "fr955",
    4061: "edge_540",
    4062: "edge_840",
    4115: "venusq2",
    4130: "hrm_pro_plus",
    4169: "edge_explore2",
    4257: "fr265_large",
    4258: "fr265_small",
    4260: "venu3",
    4315: "fr965",
    4341: "enduro2",
    4426: "vivoactive5",
    4432: "fr165",
    4433: "fr165_music",
    4440: "edge_1050",
    4536: "fenix8",
    4575: "enduro3",
    4625: "vivoactive6",
    10007: "sdm4",
}
