"""Reads every signed-in page makes, compiled to SQL once per database and shape and run with each request's values.

Django builds and compiles a queryset afresh each time it is evaluated: for the small indexed reads of a person's
own page (their account, their places, their progress) that costs 5 to 20 times what SQLite or PostgreSQL take to
answer them (bench/http_pages.py, issue 28). A `CompiledRead` builds its queryset once with stand-in values,
keeps the SQL and where each stand-in went, and on every later call runs that SQL with the real values, turning
the rows into model instances (with their `select_related` rows and annotations) or tuples as the queryset would.

    places = CompiledRead(lambda user, course: Enrolment.objects.filter(user_id=user, course_date__course_id=course)
                          .select_related("course_date"))
    places(request.user.pk, course.pk)  # a list of Enrolment, each with its course_date

The arguments are ids (int), lists of ids (an IN list: compiled once per length), aware datetimes, and `Fixed`
values written into the SQL as they are (a page's LIMIT and OFFSET: compiled once per value). Anything else the
query needs is a constant in the builder. The result is what `list(queryset)` would be.
"""

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from threading import Lock
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators

# Stand-ins: inside the range of a 32-bit id column (Django answers an out-of-range id with "nothing" before
# compiling) and far from the constants a query holds; datetimes in 1901, which no read here asks about.
_ID_STAND_IN = 2_147_000_000
_MOMENT_STAND_IN = datetime(1901, 1, 1, tzinfo=UTC)
SHAPES_KEPT = 64  # per read: one per length of its IN lists, so a handful in practice


@dataclass(frozen=True)
class Fixed:
    """An argument the builder writes into the SQL as it is (Django writes a slice's bounds into it): the read is
    compiled once for each value, so it must be one of a few (a page number, not an id)."""
    value: Any


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple  # the constants, with a stand-in where an argument goes
    slots: tuple[tuple[int, int, int | None], ...]  # (position in params, argument, item of a list argument)
    moments: frozenset[int]  # arguments that are datetimes, adapted for the database like a field's value
    converters: list  # (position, functions, expression): what the database's values become, as the ORM does it
    rows_to: Callable  # rows (converted) → the result


class CompiledRead:
    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._shapes: OrderedDict = OrderedDict()
        self._lock = Lock()

    def __call__(self, *args, using: str = "default") -> list:
        connection = connections[using]
        shape = (using, connection.vendor, tuple(len(a) if isinstance(a, (list, tuple)) else a if isinstance(a, Fixed)
                                                  else type(a) for a in args))  # a str where an id was: refused
        compiled = self._compiled(shape, args, using)
        if compiled is None:  # the query can match nothing (an empty IN list)
            return []
        params = list(compiled.params)
        for position, argument, item in compiled.slots:
            value = args[argument] if item is None else args[argument][item]
            if argument in compiled.moments:
                value = connection.ops.adapt_datetimefield_value(value)
            params[position] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return compiled.rows_to(_converted(rows, compiled.converters, connection), using)

    def _compiled(self, shape, args, using) -> _Compiled | None:
        with self._lock:
            if shape in self._shapes:
                self._shapes.move_to_end(shape)
                return self._shapes[shape]
        compiled = _compile(self.build, args, using)
        with self._lock:
            self._shapes[shape] = compiled
            while len(self._shapes) > SHAPES_KEPT:
                self._shapes.popitem(last=False)
        return compiled


def _compile(build, args, using) -> _Compiled | None:
    connection = connections[using]
    stand_ins, wanted, moments, counter = [], {}, set(), 0
    for index, arg in enumerate(args):
        if isinstance(arg, Fixed):
            stand_in = arg.value
        elif isinstance(arg, datetime):
            stand_in = _MOMENT_STAND_IN + timedelta(seconds=counter)
            wanted[connection.ops.adapt_datetimefield_value(stand_in)] = (index, None)
            moments.add(index)
            counter += 1
        elif isinstance(arg, (list, tuple)):
            stand_in = []
            for item in range(len(arg)):
                stand_in.append(_ID_STAND_IN + counter)
                wanted[_ID_STAND_IN + counter] = (index, item)
                counter += 1
        elif isinstance(arg, int) and not isinstance(arg, bool):
            stand_in = _ID_STAND_IN + counter
            wanted[stand_in] = (index, None)
            counter += 1
        else:
            raise TypeError(f"A compiled read takes ids, lists of ids and datetimes, not {type(arg).__name__}")
        stand_ins.append(stand_in)
    queryset = build(*stand_ins)
    compiler = queryset.query.get_compiler(using=using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    slots = tuple((position, *wanted[value]) for position, value in enumerate(params)
                  if _hashable(value) and value in wanted)
    missing = set(wanted.values()) - {slot[1:] for slot in slots}
    if missing:
        raise ValueError(f"Arguments {sorted(missing)} do not reach the SQL of {queryset.query}")
    converters = []  # of this alias's first connection: every connection of an alias has the same settings
    for position, (column, _sql, _alias) in enumerate(compiler.select[:compiler.col_count]):
        functions = [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]
        if functions:
            converters.append((position, functions, column))
    return _Compiled(sql=sql, params=tuple(params), slots=slots, moments=frozenset(moments),
                     converters=converters, rows_to=_rows_to(queryset, compiler))


def _hashable(value) -> bool:
    return isinstance(value, (int, str, datetime)) and not isinstance(value, bool)


def _converted(rows: list[tuple], converters: list, connection) -> list[tuple]:
    if not converters:
        return rows
    converted = []
    for row in rows:
        row = list(row)
        for position, functions, column in converters:
            for function in functions:
                row[position] = function(row[position], column, connection)
        converted.append(tuple(row))
    return converted


def _rows_to(queryset: QuerySet, compiler) -> Callable[[list[tuple], str], list]:
    """What `list(queryset)` makes of the rows: model instances as ModelIterable builds them, or tuples."""
    if queryset._iterable_class is ValuesListIterable:
        names = [*queryset.query.extra_select, *queryset.query.values_select, *queryset.query.annotation_select]
        if queryset._fields and list(queryset._fields) != names:
            raise ValueError("A compiled values_list names its columns in the order the SQL selects them")
        if compiler.has_extra_select:  # columns the SQL adds for its ordering (DISTINCT): not the caller's
            return lambda rows, using: [row[:compiler.col_count] for row in rows]
        return lambda rows, using: rows
    if queryset._iterable_class is not ModelIterable or queryset._prefetch_related_lookups:
        raise ValueError("A compiled read returns model instances or values_list tuples, without prefetching")
    select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    names = [column[0].target.attname for column in select[start:end]]

    def instances(rows: list[tuple], using: str) -> list[Any]:
        populators = get_related_populators(klass_info, select, using)
        found = []
        for row in rows:
            instance = model.from_db(using, names, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in annotation_col_map.items():
                setattr(instance, name, row[position])
            found.append(instance)
        return found

    return instances
