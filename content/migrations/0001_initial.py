"""Topics, concept pages and their code-block outputs move from the quizzes app to content.

Only Django's picture of the models moves: the tables keep their names (quizzes_topic,
quizzes_conceptpage, quizzes_codeblockoutput; Meta.db_table), so no row is copied, changed or
lost, and a database made by quizzes' migrations 0001-0008 needs no schema change. The state
half is undone in quizzes 0009_layout, which also moves the rows' content types (and with
them every permission, the Instructors group's included) to the content app.
"""

import django.db.models.deletion
from django.db import migrations, models

import quizzes.fields


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("quizzes", "0008_hardening"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Topic',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('slug', models.SlugField(unique=True)),
                        ('title', models.CharField(max_length=120)),
                        ('summary', models.TextField(blank=True)),
                        ('order', models.PositiveIntegerField(default=0)),
                        ('content_digest', models.CharField(blank=True, editable=False, max_length=64)),
                    ],
                    options={
                        'db_table': 'quizzes_topic',
                        'ordering': ['order', 'title'],
                    },
                ),
                migrations.CreateModel(
                    name='ConceptPage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('slug', models.SlugField(unique=True)),
                        ('title', models.CharField(max_length=200)),
                        ('order', models.PositiveIntegerField(default=0)),
                        ('body', models.TextField(help_text='Markdown. Every ```python block is run by the grader.')),
                        ('is_published', models.BooleanField(default=True)),
                        ('content_digest', models.CharField(blank=True, editable=False, max_length=64)),
                        ('topic', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pages', to='content.topic')),
                    ],
                    options={
                        'db_table': 'quizzes_conceptpage',
                        'ordering': ['topic__order', 'order', 'title'],
                    },
                ),
                migrations.CreateModel(
                    name='CodeBlockOutput',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('index', models.PositiveIntegerField(help_text='Position of the block on the page, from 0.')),
                        ('source_hash', models.CharField(max_length=64)),
                        ('outcome', models.JSONField(decoder=quizzes.fields.NulRestoringDecoder, encoder=quizzes.fields.NulEscapingEncoder, help_text='grader.Outcome.to_dict() of the block, without its trace.')),
                        ('trace', models.JSONField(blank=True, decoder=quizzes.fields.NulRestoringDecoder, editable=False, encoder=quizzes.fields.NulEscapingEncoder, null=True)),
                        ('python_version', models.CharField(max_length=20)),
                        ('computed_at', models.DateTimeField()),
                        ('page', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='block_outputs', to='content.conceptpage')),
                    ],
                    options={
                        'db_table': 'quizzes_codeblockoutput',
                        'ordering': ['page', 'index'],
                        'constraints': [models.UniqueConstraint(fields=('page', 'index'), name='unique_block_per_page')],
                    },
                ),
            ],
        ),
    ]
