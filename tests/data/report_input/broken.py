GREETING = "José ✓" )
