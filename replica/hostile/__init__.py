"""A hostile replica: five normal niaga articles among dozens of traps (issue 12).

``build_replica("hostile", 5)`` serves it; ``cases.CASES`` says what each trap is for.
"""
