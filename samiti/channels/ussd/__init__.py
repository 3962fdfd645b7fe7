"""USSD for members on basic phones: a menu engine replaying each session's inputs, the menus, and
one adapter per gateway (Africa's Talking first) over the same engine."""
