from accounts.roles import Role

STAFF = (Role.STAFF, Role.LEADER)
