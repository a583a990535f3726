"""The courses context (003): courses, chapters, quizzes, progress, subscriptions, search."""
