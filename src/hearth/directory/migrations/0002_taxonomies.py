"""Hearth's two vocabularies (needs; who a service is for), so search works on a fresh install."""

from django.db import migrations


def add_terms(apps, schema_editor):
    from hearth.directory.taxonomy import AUDIENCE_TAXONOMY, AUDIENCES, NEEDS, NEEDS_TAXONOMY

    Taxonomy = apps.get_model("directory", "Taxonomy")
    TaxonomyTerm = apps.get_model("directory", "TaxonomyTerm")
    for tax_name, terms in ((NEEDS_TAXONOMY, NEEDS), (AUDIENCE_TAXONOMY, AUDIENCES)):
        tax, _ = Taxonomy.objects.get_or_create(name=tax_name, defaults={"version": "1"})
        for code, name in terms:
            TaxonomyTerm.objects.get_or_create(taxonomy=tax, code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(add_terms, migrations.RunPython.noop)]
