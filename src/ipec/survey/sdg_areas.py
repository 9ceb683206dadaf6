"""Reference areas of SDG reporting: the M49 codes of countries, from an M49 or ISO code.

The SDG data structure (IAEG-SDGs:SDG 1.14) codes REF_AREA with the code list CL_AREA, whose
country codes are the numeric codes of the UN M49 standard without leading zeros (Ghana
``288``, Afghanistan ``4``), as the SDG global database uses them. People often know the ISO
3166-1 alpha-3 code instead (``GHA``), so both are accepted and the M49 code is written.

The table below holds every country of ISO 3166-1 (numeric code = M49 code), with its alpha-3
code and English name, taken from the Unicode CLDR territory data that ``babel`` ships
(babel 2.19; ``tests/survey/test_sdg_areas.py`` checks the table against it). Every code was
checked against CL_AREA 1.14 of the SDG data structure (SDMX Global Registry, snapshot of
2023-08-20): all are in it. Where CLDR keeps a withdrawn code beside the current one, the
current one is used (Sudan 729, not 736, which CL_AREA names "Sudan [former]"). Two codes come
from CL_AREA itself: 158, which CL_AREA names "Other non-specified areas in Eastern Asia", and
412 Kosovo, which has no ISO code. Regions and groups of countries (World ``1``, Africa ``2``)
are not national reporting areas and are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from ipec.errors import DataError

__all__ = ["RefArea", "ref_area", "ref_areas"]


@dataclass(frozen=True, slots=True)
class RefArea:
    """A country as the SDG data structure codes it: ``code`` is the REF_AREA value."""

    code: str
    alpha3: str
    name: str


#: (M49 code, ISO 3166-1 alpha-3, English name (CLDR)).
_COUNTRIES: tuple[tuple[int, str, str], ...] = (
    (4, "AFG", "Afghanistan"),
    (8, "ALB", "Albania"),
    (10, "ATA", "Antarctica"),
    (12, "DZA", "Algeria"),
    (16, "ASM", "American Samoa"),
    (20, "AND", "Andorra"),
    (24, "AGO", "Angola"),
    (28, "ATG", "Antigua & Barbuda"),
    (31, "AZE", "Azerbaijan"),
    (32, "ARG", "Argentina"),
    (36, "AUS", "Australia"),
    (40, "AUT", "Austria"),
    (44, "BHS", "Bahamas"),
    (48, "BHR", "Bahrain"),
    (50, "BGD", "Bangladesh"),
    (51, "ARM", "Armenia"),
    (52, "BRB", "Barbados"),
    (56, "BEL", "Belgium"),
    (60, "BMU", "Bermuda"),
    (64, "BTN", "Bhutan"),
    (68, "BOL", "Bolivia"),
    (70, "BIH", "Bosnia & Herzegovina"),
    (72, "BWA", "Botswana"),
    (74, "BVT", "Bouvet Island"),
    (76, "BRA", "Brazil"),
    (84, "BLZ", "Belize"),
    (86, "IOT", "British Indian Ocean Territory"),
    (90, "SLB", "Solomon Islands"),
    (92, "VGB", "British Virgin Islands"),
    (96, "BRN", "Brunei"),
    (100, "BGR", "Bulgaria"),
    (104, "MMR", "Myanmar (Burma)"),
    (108, "BDI", "Burundi"),
    (112, "BLR", "Belarus"),
    (116, "KHM", "Cambodia"),
    (120, "CMR", "Cameroon"),
    (124, "CAN", "Canada"),
    (132, "CPV", "Cape Verde"),
    (136, "CYM", "Cayman Islands"),
    (140, "CAF", "Central African Republic"),
    (144, "LKA", "Sri Lanka"),
    (148, "TCD", "Chad"),
    (152, "CHL", "Chile"),
    (156, "CHN", "China"),
    (158, "TWN", "Other non-specified areas in Eastern Asia"),
    (162, "CXR", "Christmas Island"),
    (166, "CCK", "Cocos (Keeling) Islands"),
    (170, "COL", "Colombia"),
    (174, "COM", "Comoros"),
    (175, "MYT", "Mayotte"),
    (178, "COG", "Congo - Brazzaville"),
    (180, "COD", "Congo - Kinshasa"),
    (184, "COK", "Cook Islands"),
    (188, "CRI", "Costa Rica"),
    (191, "HRV", "Croatia"),
    (192, "CUB", "Cuba"),
    (196, "CYP", "Cyprus"),
    (203, "CZE", "Czechia"),
    (204, "BEN", "Benin"),
    (208, "DNK", "Denmark"),
    (212, "DMA", "Dominica"),
    (214, "DOM", "Dominican Republic"),
    (218, "ECU", "Ecuador"),
    (222, "SLV", "El Salvador"),
    (226, "GNQ", "Equatorial Guinea"),
    (231, "ETH", "Ethiopia"),
    (232, "ERI", "Eritrea"),
    (233, "EST", "Estonia"),
    (234, "FRO", "Faroe Islands"),
    (238, "FLK", "Falkland Islands"),
    (239, "SGS", "South Georgia & South Sandwich Islands"),
    (242, "FJI", "Fiji"),
    (246, "FIN", "Finland"),
    (248, "ALA", "Åland Islands"),
    (250, "FRA", "France"),
    (254, "GUF", "French Guiana"),
    (258, "PYF", "French Polynesia"),
    (260, "ATF", "French Southern and Antarctic Lands"),
    (262, "DJI", "Djibouti"),
    (266, "GAB", "Gabon"),
    (268, "GEO", "Georgia"),
    (270, "GMB", "Gambia"),
    (275, "PSE", "Palestinian Territories"),
    (276, "DEU", "Germany"),
    (288, "GHA", "Ghana"),
    (292, "GIB", "Gibraltar"),
    (296, "KIR", "Kiribati"),
    (300, "GRC", "Greece"),
    (304, "GRL", "Greenland"),
    (308, "GRD", "Grenada"),
    (312, "GLP", "Guadeloupe"),
    (316, "GUM", "Guam"),
    (320, "GTM", "Guatemala"),
    (324, "GIN", "Guinea"),
    (328, "GUY", "Guyana"),
    (332, "HTI", "Haiti"),
    (334, "HMD", "Heard Island & McDonald Islands"),
    (336, "VAT", "Vatican City"),
    (340, "HND", "Honduras"),
    (344, "HKG", "Hong Kong SAR China"),
    (348, "HUN", "Hungary"),
    (352, "ISL", "Iceland"),
    (356, "IND", "India"),
    (360, "IDN", "Indonesia"),
    (364, "IRN", "Iran"),
    (368, "IRQ", "Iraq"),
    (372, "IRL", "Ireland"),
    (376, "ISR", "Israel"),
    (380, "ITA", "Italy"),
    (384, "CIV", "Côte d'Ivoire"),
    (388, "JAM", "Jamaica"),
    (392, "JPN", "Japan"),
    (398, "KAZ", "Kazakhstan"),
    (400, "JOR", "Jordan"),
    (404, "KEN", "Kenya"),
    (408, "PRK", "North Korea"),
    (410, "KOR", "South Korea"),
    (414, "KWT", "Kuwait"),
    (417, "KGZ", "Kyrgyzstan"),
    (418, "LAO", "Laos"),
    (422, "LBN", "Lebanon"),
    (426, "LSO", "Lesotho"),
    (428, "LVA", "Latvia"),
    (430, "LBR", "Liberia"),
    (434, "LBY", "Libya"),
    (438, "LIE", "Liechtenstein"),
    (440, "LTU", "Lithuania"),
    (442, "LUX", "Luxembourg"),
    (446, "MAC", "Macao SAR China"),
    (450, "MDG", "Madagascar"),
    (454, "MWI", "Malawi"),
    (458, "MYS", "Malaysia"),
    (462, "MDV", "Maldives"),
    (466, "MLI", "Mali"),
    (470, "MLT", "Malta"),
    (474, "MTQ", "Martinique"),
    (478, "MRT", "Mauritania"),
    (480, "MUS", "Mauritius"),
    (484, "MEX", "Mexico"),
    (492, "MCO", "Monaco"),
    (496, "MNG", "Mongolia"),
    (498, "MDA", "Moldova"),
    (499, "MNE", "Montenegro"),
    (500, "MSR", "Montserrat"),
    (504, "MAR", "Morocco"),
    (508, "MOZ", "Mozambique"),
    (512, "OMN", "Oman"),
    (516, "NAM", "Namibia"),
    (520, "NRU", "Nauru"),
    (524, "NPL", "Nepal"),
    (528, "NLD", "Netherlands"),
    (531, "CUW", "Curaçao"),
    (533, "ABW", "Aruba"),
    (534, "SXM", "Sint Maarten"),
    (535, "BES", "Caribbean Netherlands"),
    (540, "NCL", "New Caledonia"),
    (548, "VUT", "Vanuatu"),
    (554, "NZL", "New Zealand"),
    (558, "NIC", "Nicaragua"),
    (562, "NER", "Niger"),
    (566, "NGA", "Nigeria"),
    (570, "NIU", "Niue"),
    (574, "NFK", "Norfolk Island"),
    (578, "NOR", "Norway"),
    (580, "MNP", "Northern Mariana Islands"),
    (581, "UMI", "U.S. Outlying Islands"),
    (583, "FSM", "Micronesia"),
    (584, "MHL", "Marshall Islands"),
    (585, "PLW", "Palau"),
    (586, "PAK", "Pakistan"),
    (591, "PAN", "Panama"),
    (598, "PNG", "Papua New Guinea"),
    (600, "PRY", "Paraguay"),
    (604, "PER", "Peru"),
    (608, "PHL", "Philippines"),
    (612, "PCN", "Pitcairn Islands"),
    (616, "POL", "Poland"),
    (620, "PRT", "Portugal"),
    (624, "GNB", "Guinea-Bissau"),
    (626, "TLS", "Timor-Leste"),
    (630, "PRI", "Puerto Rico"),
    (634, "QAT", "Qatar"),
    (638, "REU", "Réunion"),
    (642, "ROU", "Romania"),
    (643, "RUS", "Russia"),
    (646, "RWA", "Rwanda"),
    (652, "BLM", "St. Barthélemy"),
    (654, "SHN", "St. Helena, Ascension & Tristan da Cunha"),
    (659, "KNA", "St. Kitts & Nevis"),
    (660, "AIA", "Anguilla"),
    (662, "LCA", "St. Lucia"),
    (663, "MAF", "St. Martin"),
    (666, "SPM", "St. Pierre & Miquelon"),
    (670, "VCT", "St. Vincent & Grenadines"),
    (674, "SMR", "San Marino"),
    (678, "STP", "São Tomé & Príncipe"),
    (682, "SAU", "Saudi Arabia"),
    (686, "SEN", "Senegal"),
    (688, "SRB", "Serbia"),
    (690, "SYC", "Seychelles"),
    (694, "SLE", "Sierra Leone"),
    (702, "SGP", "Singapore"),
    (703, "SVK", "Slovakia"),
    (704, "VNM", "Vietnam"),
    (705, "SVN", "Slovenia"),
    (706, "SOM", "Somalia"),
    (710, "ZAF", "South Africa"),
    (716, "ZWE", "Zimbabwe"),
    (724, "ESP", "Spain"),
    (728, "SSD", "South Sudan"),
    (729, "SDN", "Sudan"),
    (732, "ESH", "Western Sahara"),
    (740, "SUR", "Suriname"),
    (744, "SJM", "Svalbard & Jan Mayen"),
    (748, "SWZ", "Eswatini"),
    (752, "SWE", "Sweden"),
    (756, "CHE", "Switzerland"),
    (760, "SYR", "Syria"),
    (762, "TJK", "Tajikistan"),
    (764, "THA", "Thailand"),
    (768, "TGO", "Togo"),
    (772, "TKL", "Tokelau"),
    (776, "TON", "Tonga"),
    (780, "TTO", "Trinidad & Tobago"),
    (784, "ARE", "United Arab Emirates"),
    (788, "TUN", "Tunisia"),
    (792, "TUR", "Türkiye"),
    (795, "TKM", "Turkmenistan"),
    (796, "TCA", "Turks & Caicos Islands"),
    (798, "TUV", "Tuvalu"),
    (800, "UGA", "Uganda"),
    (804, "UKR", "Ukraine"),
    (807, "MKD", "North Macedonia"),
    (818, "EGY", "Egypt"),
    (826, "GBR", "United Kingdom"),
    (831, "GGY", "Guernsey"),
    (832, "JEY", "Jersey"),
    (833, "IMN", "Isle of Man"),
    (834, "TZA", "Tanzania"),
    (840, "USA", "United States"),
    (850, "VIR", "U.S. Virgin Islands"),
    (854, "BFA", "Burkina Faso"),
    (858, "URY", "Uruguay"),
    (860, "UZB", "Uzbekistan"),
    (862, "VEN", "Venezuela"),
    (876, "WLF", "Wallis & Futuna"),
    (882, "WSM", "Samoa"),
    (887, "YEM", "Yemen"),
    (894, "ZMB", "Zambia"),
)
_ADDED: tuple[tuple[int, str, str], ...] = ((412, "", "Kosovo"),)

_BY_CODE: MappingProxyType[str, RefArea] = MappingProxyType(
    {
        str(code): RefArea(str(code), alpha3, name)
        for code, alpha3, name in sorted(_COUNTRIES + _ADDED)
    }
)
_BY_ALPHA3: MappingProxyType[str, RefArea] = MappingProxyType(
    {area.alpha3: area for area in _BY_CODE.values() if area.alpha3}
)


def ref_areas() -> tuple[RefArea, ...]:
    """Every country code ipec writes, in M49 order (the REF_AREA code list it uses)."""
    return tuple(_BY_CODE.values())


def ref_area(text: str) -> RefArea:
    """The country given by an M49 code (``288``, ``"004"``) or an ISO alpha-3 code (``GHA``).

    >>> ref_area("GHA")
    RefArea(code='288', alpha3='GHA', name='Ghana')
    >>> ref_area("004").code
    '4'
    """
    given = text.strip()
    found = _BY_CODE.get(str(int(given))) if given.isdigit() else _BY_ALPHA3.get(given.upper())
    if found is None:
        raise DataError(
            f"reference area {text!r} is not the M49 code or ISO alpha-3 code of a country",
            hint="give the country's M49 code (Ghana: 288) or ISO alpha-3 code (GHA); "
            "regions and groups of countries are not national reporting areas",
        )
    return found
