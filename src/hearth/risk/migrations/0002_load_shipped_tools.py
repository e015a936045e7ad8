"""Load the risk tools shipped with Hearth (in Hearth's own wording) as their first versions."""

from django.db import migrations


def load(apps, schema_editor):
    from hearth.risk.tools import engine

    RiskTool = apps.get_model("risk", "RiskTool")
    RiskToolVersion = apps.get_model("risk", "RiskToolVersion")
    for slug in engine.SHIPPED:
        definition = engine.validate(engine.read_shipped(slug))
        tool, _ = RiskTool.objects.get_or_create(
            slug=slug, defaults={"name": definition["name"], "is_default": slug == engine.DEFAULT_TOOL})
        if tool.versions.exists():
            continue
        RiskToolVersion.objects.create(
            tool=tool, number=1, label=definition["version_label"], definition=definition,
            checksum=engine.checksum(definition), wording="hearth", is_current=True,
            source_note="Shipped with Hearth")


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
