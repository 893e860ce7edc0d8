from glutecoach.coach.launch import main

main()
