# The stdout of an operation whose output holds secrets is stored sealed beside the
# chunk's public `data` (console/runs/models.py, OutputChunk). Adding a blank column
# touches no stored row: every existing chunk stays as it was, in the clear.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("runs", "0007_action_stream"),
    ]

    operations = [
        migrations.AddField(
            model_name="outputchunk",
            name="sealed_data",
            field=models.TextField(blank=True),
        ),
    ]
