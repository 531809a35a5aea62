"""Run every benchmark and print one table of figures."""

from __future__ import annotations

from bench import classify, ingest, real_data


def main() -> None:
    rows = ingest.run() + classify.run() + real_data.run()
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
