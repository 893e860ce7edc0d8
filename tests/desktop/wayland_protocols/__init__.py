"""pywayland bindings for the test-only Wayland protocols, generated and committed so that CI needs
no -dev package. pywayland ships the standard protocols (ext-idle-notify-v1 among them) but none of
KDE's; `fake_input.py` (org_kde_kwin_fake_input: synthetic pointer and key input into KWin) was
made from Debian 12's plasma-wayland-protocols 1.10 with

    python3 -m pywayland.scanner -i /usr/share/plasma-wayland-protocols/fake-input.xml \\
        -o tests/desktop/wayland_protocols

(pywayland 0.4.19). Regenerate the same way after a pywayland upgrade changes its generated code.
"""
