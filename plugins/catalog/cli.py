"""``ydt catalog ...`` commands."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from plugins.catalog.importer import FIELDS, ImportFailed, ImportOptions, import_file, parse_mapping

IMPORT_HELP = f"""Import products and categories from a CSV or XLSX file.

\b
Each field reads the column of the same name unless mapped with --map
FIELD=COLUMN (join columns with +). Fields:
  {", ".join(FIELDS[:7])},
  {", ".join(FIELDS[7:])}.
Sizes in *_cm columns are converted to millimetres; free text such as
"51.5 cm" is read for its number. A category like "沙发 > 真皮沙发" is a path
(see --category-separator); an existing category code is that category.

\b
Rows with the same code are one product listed in all their categories:
the first row gives the fields, later rows are reported as merged. Every
row is reported: imported, updated, unchanged, merged or rejected (with the
reason). Running the same file again changes nothing. New products are
published unless --unpublished; existing products keep their publication.

\b
Prices: the price column is the list price in CNY yuan, read as given
("SR 1,234", "¥3,280.00" and "3280元" are all understood; the currency text
is ignored). Prices in another currency need --currency-rate, the CNY value
of one unit (e.g. 1.9 for Saudi riyals). The list price is handed to the
pricing plugin for the product's default grade.

\b
Example (the IKEA Saudi Arabia catalogue):
  ydt catalog import ikea.csv --currency-rate 1.9 --map \\
    code=item_id,name=name+short_description,spec=short_description \\
    --map width_cm=width,depth_cm=depth,height_cm=height
"""


@click.group("catalog")
def catalog() -> None:
    """Catalog commands: products, categories and images."""


@catalog.command("import", help=IMPORT_HELP)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--map", "maps", multiple=True, metavar="FIELD=COLUMN,...", help="Map fields to columns.")
@click.option("--unpublished", is_flag=True, help="Create new products unpublished.")
@click.option("--dry-run", is_flag=True, help="Report what would happen; save nothing.")
@click.option("--currency-rate", default="1", show_default=True, help="CNY per unit of the file's currency.")
@click.option("--category-separator", default=">", show_default=True, help="Separates category path levels.")
@click.option("--sheet", default=None, help="XLSX sheet to read (default: the active one).")
@click.pass_obj
def import_command(state, file, maps, unpublished, dry_run, currency_rate, category_separator, sheet) -> None:
    try:
        rate = Decimal(currency_rate)
    except InvalidOperation:
        rate = Decimal(0)
    if not rate.is_finite() or rate <= 0 or rate > 10000:
        raise click.BadParameter("must be a positive number such as 1.9", param_hint="--currency-rate")
    try:
        options = ImportOptions(
            mapping=parse_mapping(maps),
            publish=not unpublished,
            dry_run=dry_run,
            currency_rate=rate,
            category_separator=category_separator,
            sheet=sheet,
        )
        app = state.app()
        with app.ctx.activate():
            report = import_file(app.ctx, file, options)
    except ImportFailed as ex:
        raise click.ClickException(str(ex)) from ex
    for line in report.lines():
        click.echo(line)
