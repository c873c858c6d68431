"""The pages' words in Danish, Norwegian bokmål, Norwegian nynorsk and English.

They live in ``locales/messages.txt``, one message a line:
``key | da | nb | nn | en`` (``#`` starts a comment).  A test checks that every
key used in a template or view is there in all four languages.
"""
import os

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locales", "messages.txt")


def load(path=PATH):
    messages = {}
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = [part.strip() for part in line.split(" | ")]
            if len(parts) != 5:
                raise ValueError(f"{path}:{number}: expected 'key | da | nb | nn | en'")
            key, *texts = parts
            if key in messages:
                raise ValueError(f"{path}:{number}: {key} twice")
            messages[key] = tuple(texts)
    return messages


MESSAGES = load()
