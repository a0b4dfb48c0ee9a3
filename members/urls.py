app_name = "members"

# Filled by the members app (#12): the roster and user management on the desk.
urlpatterns: list = []
