"""The run's report: evidence recorded by steps and fixtures, written as HTML, JSON, terminal summary and
JUnit XML properties (``--infra-report``)."""
