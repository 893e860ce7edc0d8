"""Short sounds at a prompt and at the ends of the break window's countdowns (issue 14).

`chimes.Chimes` decides whether a sound may play (`[desktop] sound`, the meeting hold,
do-not-disturb) and at what volume; `player.SoundPlayer` plays one of the shipped files
(`files/`, made by tools/make_sounds.py) through the desktop's sound server. Importing this
package imports neither.
"""
