"""Classes: a teacher's classes, the learners invited to them by email, and who may see a
learner's progress because of them."""
