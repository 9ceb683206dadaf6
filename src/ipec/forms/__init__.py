"""Field data in: the programme's XLSForms for ODK Collect and KoboCollect
(:mod:`ipec.forms.xlsform`), the entity list of children due (:mod:`ipec.forms.entities`),
and the imports of what comes back, through the pages' own services: ODK Central and
KoboToolbox exports and XML instances (:mod:`ipec.forms.exports`,
:mod:`ipec.forms.instances`, :mod:`ipec.forms.importer`) and existing registers
(:mod:`ipec.forms.register`)."""
