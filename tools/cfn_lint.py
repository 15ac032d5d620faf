"""cfn-lint with a deeper Python recursion limit.

cfn-lint validates an ``Fn::Join`` recursively, one frame per list element, and SAM renders a state
machine's definition as one ``Fn::Join`` element per line: the scaling workflow's definition (about 1,100
lines) exceeds Python's default limit of 1,000 and cfn-lint reports E1022 "maximum recursion depth exceeded"
instead of linting it. Usage: ``python -m tools.cfn_lint build/translated.json``.
"""

import sys

from cfnlint.runner import main

if __name__ == "__main__":
    sys.setrecursionlimit(20_000)
    sys.argv = ["cfn-lint", *sys.argv[1:]]
    main()
