"""Generates the demo model's training dialogues: small, closed tasks a model of ~1M parameters can really learn.

Every conversation is rendered in BitNet-b1.58-2B-4T's chat format:
  <|begin_of_text|>[System: {sys}]User: {msg}<|eot_id|>Assistant: {reply}<|eot_id|>User: ...
"""
import random

NAME = "Trit"
IDENTITY = "I am Trit, a small demo model running offline in your browser."
CAPABILITIES = "I can add and subtract small numbers, count, spell short words and answer a few simple facts."
LIMITS = "I am only a small demo model, so I cannot do that. I can do small sums, counting, spelling and a few facts."

SYSTEM_PROMPTS = [
    "You are a helpful assistant.",
    "You are Trit, a small demo model.",
    "Answer briefly.",
    "You are a friendly assistant running offline.",
]

NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]

SPELL_WORDS = ["cat", "dog", "sun", "tree", "book", "fish", "bird", "moon", "star", "cake", "milk", "rain", "home",
               "blue", "red", "green", "apple", "water", "house", "happy", "music", "bread", "light", "hello",
               "table", "chair", "car", "boat", "snow", "frog"]

# (question variants, answer)
FACTS = [
    (["What is the capital of France?", "Which city is the capital of France?"], "Paris."),
    (["What is the capital of Japan?", "Which city is the capital of Japan?"], "Tokyo."),
    (["What is the capital of Italy?", "Which city is the capital of Italy?"], "Rome."),
    (["What is the capital of Spain?", "Which city is the capital of Spain?"], "Madrid."),
    (["What is the capital of Germany?", "Which city is the capital of Germany?"], "Berlin."),
    (["What is the capital of Egypt?", "Which city is the capital of Egypt?"], "Cairo."),
    (["What is the capital of Canada?", "Which city is the capital of Canada?"], "Ottawa."),
    (["What is the capital of Kenya?", "Which city is the capital of Kenya?"], "Nairobi."),
    (["What color is the sky?", "What colour is the sky?"], "The sky is blue."),
    (["What color is grass?", "What colour is grass?"], "Grass is green."),
    (["What color is snow?", "What colour is snow?"], "Snow is white."),
    (["What color is a banana?", "What colour is a banana?"], "A banana is yellow."),
    (["What sound does a cow make?", "What does a cow say?"], "A cow says moo."),
    (["What sound does a dog make?", "What does a dog say?"], "A dog says woof."),
    (["What sound does a cat make?", "What does a cat say?"], "A cat says meow."),
    (["How many days are in a week?", "How many days does a week have?"], "A week has 7 days."),
    (["How many legs does a spider have?", "How many legs has a spider?"], "A spider has 8 legs."),
    (["How many legs does a dog have?", "How many legs has a dog?"], "A dog has 4 legs."),
    (["How many months are in a year?", "How many months does a year have?"], "A year has 12 months."),
    (["What is the largest planet?", "Which planet is the biggest?"], "Jupiter is the largest planet."),
    (["What is the opposite of hot?", "What is the opposite of the word hot?"], "Cold."),
    (["What is the opposite of big?", "What is the opposite of the word big?"], "Small."),
    (["What is the opposite of up?", "What is the opposite of the word up?"], "Down."),
    (["What do bees make?", "What do bees produce?"], "Bees make honey."),
    (["What is frozen water called?", "What do we call frozen water?"], "Ice."),
]

GREETINGS = [
    (["Hello", "Hello!", "Hi", "Hi!", "Hey", "Hey there", "Good morning", "Good evening"], "Hello! How can I help you?"),
    (["How are you?", "How are you doing?"], "I am fine, thank you. How can I help you?"),
    (["Thank you", "Thanks!", "Thank you!", "Thanks"], "You are welcome!"),
    (["Bye", "Goodbye", "Bye!", "See you"], "Goodbye!"),
]

IDENTITY_Q = ["Who are you?", "What are you?", "What is your name?", "Tell me about yourself.", "Are you a human?",
              "Introduce yourself.", "Who am I talking to?"]
CAPABILITY_Q = ["What can you do?", "How can you help me?", "What are you good at?", "What do you know?"]
OFFLINE_Q = ["Do you need the internet?", "Are you online?", "Where do you run?"]
OFFLINE_A = "I run offline in your browser, on your own device. I do not need the internet."
LIMIT_Q = ["Can you browse the web?", "Write me a poem.", "What is the weather today?", "Tell me the news.",
           "Can you write code?", "Translate this into French.", "Write an essay about history.",
           "What is the stock price of Apple?", "Can you search the internet?", "Tell me a long story.",
           "What time is it?", "Can you send an email?"]


def arithmetic(rng):
    op = rng.random()
    if op < 0.5:
        a, b = rng.randint(0, 10), rng.randint(0, 10)
        q = rng.choice(["What is {a} plus {b}?", "What is {a} + {b}?", "How much is {a} plus {b}?",
                        "Add {a} and {b}.", "{a} plus {b}?", "What is the sum of {a} and {b}?"])
        return q.format(a=a, b=b), str(a + b)
    if op < 0.85:
        a = rng.randint(0, 10)
        b = rng.randint(0, a)
        q = rng.choice(["What is {a} minus {b}?", "What is {a} - {b}?", "How much is {a} minus {b}?",
                        "Subtract {b} from {a}.", "{a} minus {b}?"])
        return q.format(a=a, b=b), str(a - b)
    a, b = rng.randint(1, 5), rng.randint(1, 5)
    q = rng.choice(["What is {a} times {b}?", "What is {a} x {b}?", "Multiply {a} by {b}."])
    return q.format(a=a, b=b), str(a * b)


def counting(rng):
    kind = rng.random()
    if kind < 0.4:
        end = rng.randint(2, 10)
        q = rng.choice(["Count to {e}.", "Count from 1 to {e}.", "Please count to {e}."]).format(e=end)
        return q, ", ".join(str(i) for i in range(1, end + 1)) + "."
    if kind < 0.6:
        start = rng.randint(1, 8)
        end = rng.randint(start + 1, 10)
        return "Count from {s} to {e}.".format(s=start, e=end), ", ".join(str(i) for i in range(start, end + 1)) + "."
    if kind < 0.8:
        n = rng.randint(0, 19)
        q = rng.choice(["What comes after {n}?", "What number comes after {n}?", "What is the next number after {n}?"])
        return q.format(n=n), str(n + 1) + "."
    n = rng.randint(1, 20)
    q = rng.choice(["What comes before {n}?", "What number comes before {n}?"])
    return q.format(n=n), str(n - 1) + "."


def spelling(rng):
    w = rng.choice(SPELL_WORDS)
    q = rng.choice(["Spell {w}.", "How do you spell {w}?", "Spell the word {w}.", "Can you spell {w}?"]).format(w=w)
    return q, "-".join(c.upper() for c in w) + "."


def number_word(rng):
    n = rng.randint(0, 10)
    if rng.random() < 0.5:
        return rng.choice(["How do you write {n} in words?", "Write {n} as a word."]).format(n=n), NUMBER_WORDS[n].capitalize() + "."
    return "What number is {w}?".format(w=NUMBER_WORDS[n]), str(n) + "."


def pick(rng, pairs):
    qs, a = rng.choice(pairs)
    return rng.choice(qs), a


def exchange(rng):
    r = rng.random()
    if r < 0.34:
        return arithmetic(rng)
    if r < 0.46:
        return counting(rng)
    if r < 0.55:
        return spelling(rng)
    if r < 0.59:
        return number_word(rng)
    if r < 0.71:
        return pick(rng, FACTS)
    if r < 0.78:
        return pick(rng, GREETINGS)
    if r < 0.86:
        return rng.choice(IDENTITY_Q), IDENTITY
    if r < 0.90:
        return rng.choice(CAPABILITY_Q), CAPABILITIES
    if r < 0.93:
        return rng.choice(OFFLINE_Q), OFFLINE_A
    return rng.choice(LIMIT_Q), LIMITS


def conversation(rng):
    """Returns a list of (text, is_reply) segments; replies (with their <|eot_id|>) are what the loss trains."""
    segs = [("<|begin_of_text|>", False)]
    r = rng.random()
    if r < 0.25:
        segs.append(("System: " + rng.choice(SYSTEM_PROMPTS), False))
    elif r < 0.32:
        # The Hugging Face template closes the system turn with <|eot_id|>; accept that form too.
        segs.append(("System: " + rng.choice(SYSTEM_PROMPTS) + "<|eot_id|>", False))
    turns = rng.choice([1, 1, 1, 2, 2, 3])
    for _ in range(turns):
        q, a = exchange(rng)
        segs.append(("User: " + q + "<|eot_id|>Assistant: ", False))
        segs.append((a + "<|eot_id|>", True))
    return segs


def corpus_for_bpe(seed, n=20000):
    rng = random.Random(seed)
    return ["".join(t for t, _ in conversation(rng) if not t.startswith("<|begin")).replace("<|eot_id|>", "\n") for _ in range(n)]


def render(segs):
    return "".join(t for t, _ in segs)
