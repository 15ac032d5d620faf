"""stub"""


def install() -> None:
    pass
