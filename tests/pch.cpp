// Carrier of the precompiled header shared by all test executables.
