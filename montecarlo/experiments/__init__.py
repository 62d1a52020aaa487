"""Experiments behind the report's figures that are not claims: width searches, Figure 2's
curves and slopes, the real-data table. They compute; :mod:`reports.figures` only plots and
captions what they return.

May import: :mod:`montecarlo.estimators`, :mod:`montecarlo.sim`, :mod:`montecarlo.search`,
:mod:`montecarlo.registry` and :mod:`bounds`.
"""
