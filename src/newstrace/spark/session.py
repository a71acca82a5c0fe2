"""The Spark session the job runs in, and the file system its output lives on.

pyspark is imported here, inside functions, and nowhere in newstrace's core: ``import newstrace`` never
needs it, and the ``spark`` extra is only needed to run the Spark engine.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from newstrace.errors import NewstraceError


@dataclass(frozen=True)
class SparkOptions:
    """Where and how the Spark job runs.

    Attributes:
        master: ``local[N]`` (N cores of this machine), ``spark://host:port``, ``yarn``, ...
        partitions: shuffle partitions (None: 4 per local core, else Spark's own setting).
        config: further Spark settings, as (key, value) pairs (they win over the ones set here).
    """

    master: str = "local[2]"
    partitions: int | None = None
    config: tuple[tuple[str, str], ...] = ()

    @property
    def local(self) -> bool:
        return self.master.startswith("local")

    def settings(self) -> dict[str, str]:
        """The Spark settings the session is built with."""
        settings = {
            "spark.app.name": "newstrace",
            "spark.sql.session.timeZone": "UTC",
            "spark.ui.showConsoleProgress": "false",
        }
        if self.local:
            # A local run is this machine's business only: the driver listens on the loopback
            # interface and no web UI is served.
            settings |= {
                "spark.driver.bindAddress": "127.0.0.1",
                "spark.driver.host": "127.0.0.1",
                "spark.ui.enabled": "false",
            }
        partitions = self.partitions or (4 * _local_cores(self.master) if self.local else None)
        if partitions:
            settings["spark.sql.shuffle.partitions"] = str(partitions)
            settings["spark.default.parallelism"] = str(partitions)
        return settings | dict(self.config)


def _local_cores(master: str) -> int:
    inside = master[len("local") :].strip("[]").split(",")[0]
    if inside in ("", "*"):
        return os.cpu_count() or 1
    try:
        return max(int(inside), 1)
    except ValueError as error:
        raise NewstraceError(f"cannot read the number of cores in master {master!r}") from error


@contextmanager
def spark_session(options: SparkOptions) -> Iterator[Any]:
    """A Spark session with ``options``, stopped when the block ends."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise NewstraceError("the Spark engine needs pyspark: pip install 'newstrace[spark]'") from error
    builder = SparkSession.builder.master(options.master)
    for key, value in options.settings().items():
        builder = builder.config(key, value)
    with _python_workers(options):
        session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


@contextmanager
def _python_workers(options: SparkOptions) -> Iterator[None]:
    """Local Python workers run this interpreter (which has newstrace installed): pyspark reads the
    interpreter from ``PYSPARK_PYTHON`` when the context starts, so it is set for that moment only
    (unless the user set it)."""
    if not options.local or "PYSPARK_PYTHON" in os.environ:
        yield
        return
    os.environ["PYSPARK_PYTHON"] = sys.executable
    try:
        yield
    finally:
        del os.environ["PYSPARK_PYTHON"]


class FileSystem:
    """The Hadoop file system of the job's output (local, ``hdfs://``, ``s3a://``, ...), for the few
    small files the job writes itself: the stage markers."""

    def __init__(self, spark: Any, root: str) -> None:
        self._jvm = spark.sparkContext._jvm
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()
        self._fs = self._path(root).getFileSystem(self._conf)

    def _path(self, path: str) -> Any:
        return self._jvm.org.apache.hadoop.fs.Path(path)

    def exists(self, path: str) -> bool:
        return bool(self._fs.exists(self._path(path)))

    def make_directory(self, path: str) -> None:
        self._fs.mkdirs(self._path(path))

    def delete(self, path: str) -> None:
        self._fs.delete(self._path(path), True)

    def read_text(self, path: str) -> str:
        stream = self._fs.open(self._path(path))
        try:
            return str(self._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8"))
        finally:
            stream.close()

    def write_text(self, path: str, text: str) -> None:
        stream = self._fs.create(self._path(path), True)
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()
