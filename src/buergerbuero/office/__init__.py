"""The office as a citizen sees it: whether each department is open and free, busy or
closed right now, from its schedule, the staff's presence and their calls, and the public
status board built from it. Above `departments` and `staff`, below `waiting`."""
