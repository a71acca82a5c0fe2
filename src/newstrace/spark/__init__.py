"""The Spark engine: the same stages over a corpus too large for one machine, Parquet in and out.

``run_spark(inputs, out)`` (or ``SparkEngine``) runs sources → extract → relate → stories → checks →
brief on Apache Spark, calling the embedded engine's stage functions, and gives the same relations,
stories and findings as ``LocalEngine`` on the same input. ``import_output(store, out)`` stores the
result in an embedded store, to browse it on one machine.

Needs the ``spark`` extra (pyspark, pyarrow) and Java 17; nothing here imports pyspark until a run starts.
"""

from newstrace.spark.engine import SparkEngine, SparkReport, StageRun, run_spark
from newstrace.spark.output import ImportReport, import_output
from newstrace.spark.session import SparkOptions

__all__ = ["ImportReport", "SparkEngine", "SparkOptions", "SparkReport", "StageRun", "import_output", "run_spark"]
