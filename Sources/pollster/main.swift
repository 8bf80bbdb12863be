print("pollster")
