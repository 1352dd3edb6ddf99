"""Where `okrctl measure` reads a number (docs/measure.md): a `measure:` block's SQL, CSV or
HTTP source, as the goals files write it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from okrctl.model.fields import Slug, StrictModel, Text

ENV_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"


EnvName = Annotated[
    str,
    Field(pattern=ENV_PATTERN),
    WithJsonSchema({"type": "string", "pattern": ENV_PATTERN}),
]


RowPick = Literal["last", "first", "sum", "mean", "min", "max", "count"]


def _inside_repository(value: str) -> str:
    """A CSV path is relative to the repository root and stays inside it (checked again on disk,
    links followed, by `check` and `measure`)."""
    import posixpath

    normal = posixpath.normpath(value.replace("\\", "/"))
    if value.startswith(("/", "\\")) or (len(value) > 1 and value[1] == ":"):
        raise PydanticCustomError(
            "csv_path", "`csv` is a path relative to the repository root, not an absolute path"
        )
    if normal == ".." or normal.startswith("../"):
        raise PydanticCustomError(
            "csv_path", "`csv` leads outside the repository; keep the file inside it"
        )
    return value


class EnvValue(StrictModel):
    """A value read from an environment variable when `okrctl measure` runs: never a literal
    secret in a goals file."""

    env: EnvName = Field(description="The environment variable's name.")

    @model_validator(mode="before")
    @classmethod
    def _named_not_written(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            raise PydanticCustomError(
                "env_value",
                "a header's value names the environment variable that holds it, as "
                "`{env: NAME}`; never write the secret itself in a goals file",
            )
        return value


class Measure(StrictModel):
    """Where `okrctl measure` reads the number: exactly one of an SQL query (`sql` with
    `database`), a CSV column (`csv` with `column`), or a JSON API (`http` with `json`)."""

    model_config = ConfigDict(populate_by_name=False)

    sql: Text | None = Field(
        default=None,
        description=(
            "A query returning exactly one row of one column; binds `:as_of`, `:period_start` and "
            "`:period_end` (ISO dates)."
        ),
    )
    database: Slug | None = Field(
        default=None,
        description="A name under `databases:` in okrctl.yaml.",
    )
    csv: Annotated[Text, AfterValidator(_inside_repository)] | None = Field(
        default=None,
        description="A CSV file, relative to the repository root.",
    )
    column: Text | None = Field(default=None, description="The CSV column holding the number.")
    row: RowPick | None = Field(
        default=None,
        description=(
            "Which row, or what of the column: last (default), first, sum, mean, min, max, count."
        ),
    )
    http: Annotated[Text, Field(pattern=r"^https?://")] | None = Field(
        default=None,
        description="A URL answering JSON.",
    )
    json_path: Annotated[Text | None, Field(alias="json")] = Field(
        default=None,
        description=(
            "A JMESPath expression for the number in the answer, such as `data.funded_rate`."
        ),
    )
    headers: dict[str, EnvValue] = Field(
        default={},
        description=(
            "HTTP headers, each read from an environment variable: `{Authorization: {env: TOKEN}}`."
        ),
    )

    @model_validator(mode="after")
    def _one_source(self) -> Measure:
        kinds = [k for k in ("sql", "csv", "http") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise PydanticCustomError(
                "measure_kind",
                "give exactly one of `sql`, `csv` or `http` (found {found})",
                {"found": ", ".join(f"`{k}`" for k in kinds) or "none"},
            )
        needs = {
            "sql": ("database", "database"),
            "csv": ("column", "column"),
            "http": ("json_path", "json"),
        }[kinds[0]]
        if getattr(self, needs[0]) is None:
            raise PydanticCustomError(
                "measure_field",
                "`{kind}` needs `{field}`",
                {"kind": kinds[0], "field": needs[1]},
            )
        strays = [
            name
            for name, attribute, owner in (
                ("database", self.database, "sql"),
                ("column", self.column, "csv"),
                ("row", self.row, "csv"),
                ("json", self.json_path, "http"),
                ("headers", self.headers or None, "http"),
            )
            if attribute is not None and owner != kinds[0]
        ]
        if strays:
            raise PydanticCustomError(
                "measure_field",
                "{fields} {verb} to another kind of source than `{kind}`; remove {them}",
                {
                    "fields": ", ".join(f"`{f}`" for f in strays),
                    "verb": "belongs" if len(strays) == 1 else "belong",
                    "them": "it" if len(strays) == 1 else "them",
                    "kind": kinds[0],
                },
            )
        return self

    @property
    def kind(self) -> Literal["sql", "csv", "http"]:
        return "sql" if self.sql is not None else "csv" if self.csv is not None else "http"
