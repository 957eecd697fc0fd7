#!/usr/bin/python3
"""Writes the two small probing data sets of docs/probing.md (words all in tiny-stories-decoder's vocabulary).

feeling.jsonl   "<name> was [very] <adjective> ." labelled by the adjective's polarity (pos/neg): a word-level
                concept, readable wherever the adjective's token is.
negation.jsonl  "<name> was [not] <adjective> ." labelled by the polarity after the negation: pos for "happy" and
                "not sad", neg for "sad" and "not happy" (an XOR of two words, so no single token gives it).
"""
import json
import os

NAMES = ["anna", "ben", "ella", "leo", "lily", "max", "mia", "sam", "tom", "zoe"]
POSITIVE = ["happy", "proud", "funny"]
NEGATIVE = ["sad", "scared", "tired"]
HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, rows):
    with open(os.path.join(HERE, name), "w") as f:
        for text, label in rows:
            f.write(json.dumps({"text": text, "label": label}) + "\n")


def main():
    feeling, negation = [], []
    for name in NAMES:
        for adjective in POSITIVE + NEGATIVE:
            polarity = "pos" if adjective in POSITIVE else "neg"
            for very in ("", "very "):
                feeling.append(("%s was %s%s ." % (name, very, adjective), polarity))
            for negated in (False, True):
                flipped = {"pos": "neg", "neg": "pos"}[polarity] if negated else polarity
                negation.append(("%s was %s%s ." % (name, "not " if negated else "", adjective), flipped))
    write("feeling.jsonl", feeling)
    write("negation.jsonl", negation)


if __name__ == "__main__":
    main()
